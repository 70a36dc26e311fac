using System.Net.Sockets;
using System.Text;
using AioRun.Tests.Process;
using Xunit;

namespace AioRun.Tests.Runtime;

/// <summary>The systemd notifier on its own: how it reads the watchdog's settings, and a receiver that does not keep up.</summary>
public class SystemdNotifierTests
{
    [Theory]
    [InlineData("400000", null, 200.0)]     // half the period
    [InlineData("400000", "4242", 200.0)]   // WATCHDOG_PID is ours
    [InlineData("400000", "4243", 0.0)]     // another process's watchdog
    [InlineData(null, null, 0.0)]           // no watchdog
    [InlineData("ten", null, 0.0)]          // not a number: no pings (and a warning when the loop starts)
    [InlineData("0", null, 0.0)]
    [InlineData("-5", null, 0.0)]
    [InlineData("400000", "-1", 0.0)]
    public void The_watchdog_pings_at_half_WATCHDOG_USEC_when_the_watchdog_is_ours(string? watchdogUsec, string? watchdogPid, double expectedMilliseconds)
    {
        using SystemdNotifier notifier = SystemdNotifier.Create("/run/systemd/notify", watchdogUsec, watchdogPid, processId: 4242);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), notifier.PingInterval);
    }

    [UnixFact]
    public void A_receiver_that_does_not_keep_up_costs_dropped_notifications_and_one_warning_never_an_exception()
    {
        string path = Path.Combine(Path.GetTempPath(), "aiorun-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
        using var receiver = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        receiver.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            var logger = new CapturingLogger();
            using var loop = new AioLoop { Logger = logger };
            using SystemdNotifier notifier = SystemdNotifier.Create(path, null, null, Environment.ProcessId);
            notifier.UseLoop(loop);
            string[] SystemdLines() => logger.Lines.Where(l => l.StartsWith("systemd", StringComparison.Ordinal)).ToArray();

            // Nobody reads: the receiver's queue fills up, and a send then waits its timeout and gives up.
            int sent = 0;
            while (SystemdLines().Length == 0 && sent < 100_000)
            {
                notifier.NotifyPhase("phase " + sent++);
            }

            notifier.NotifyPhase("dropped too, without a second warning");
            string warning = Assert.Single(SystemdLines());
            Assert.StartsWith("systemd did not take 'STATUS=phase ", warning, StringComparison.Ordinal);

            // Once the receiver reads again, notifications pass again.
            var buffer = new byte[4096];
            while (receiver.Available > 0)
            {
                receiver.Receive(buffer);
            }

            notifier.NotifyPhase("after");
            Assert.Equal("STATUS=after", Encoding.UTF8.GetString(buffer, 0, receiver.Receive(buffer)));
            Assert.Single(SystemdLines());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
