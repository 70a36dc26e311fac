using System.Runtime.InteropServices;

// The least a .NET program can do on SIGTERM: the runtime's PosixSignalRegistration hands the signal to a handler,
// which writes the line AioRun writes first and lets Main end. What AioRun's first line costs beyond this is AioRun's.
// Standard error's writer is made and used before the ready line, so that the handler only writes.
using var stopped = new ManualResetEventSlim();
TextWriter error = Console.Error;
error.Write("");
error.Flush();
using PosixSignalRegistration registration = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    error.WriteLine("Stopping the loop");
    stopped.Set();
});
Console.WriteLine("ready");
stopped.Wait();
return 0;
