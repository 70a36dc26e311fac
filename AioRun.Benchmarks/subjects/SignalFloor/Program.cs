using System.Runtime.InteropServices;

// The least a .NET program can do on SIGTERM: the runtime's PosixSignalRegistration hands the signal to a handler,
// which writes the line AioRun writes first and lets Main end. What AioRun's first line costs beyond this is AioRun's.
using var stopped = new ManualResetEventSlim();
using PosixSignalRegistration registration = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    Console.Error.WriteLine("Stopping the loop");
    stopped.Set();
});
Console.WriteLine("ready");
stopped.Wait();
return 0;
