using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using AioRun.Epoll;

namespace AioRun;

/// <summary>
/// Standard error as the default logger writes it on Linux: UTF-8, straight to file descriptor 2 with libc's
/// <c>write</c>, as System.Console's own stream does underneath, but without System.Console. Setting up
/// <see cref="Console.Error"/> costs a program's start several milliseconds (the terminal's charset is looked up, the
/// terminal is set up, the standard output writer is made as well), which a service that writes nothing but AioRun's
/// lines never needs, and which the first line after a signal would otherwise wait for.
/// </summary>
/// <remarks>
/// <para>
/// Nothing is buffered: every call is written before it returns, as with <see cref="Console.Error"/>'s auto-flush. A
/// line and its newline are one write, so another writer to the same descriptor cannot cut into it (up to the size a
/// pipe writes at once). The writes go to the descriptor's shared position, never to an offset of its own, so a log
/// file that standard output and standard error share (<c>&gt; service.log 2&gt;&amp;1</c>) keeps every line of both.
/// </para>
/// <para>
/// As System.Console does: a write interrupted by a signal is retried; a non-blocking descriptor that is full is polled
/// until it takes more; a reader that went away (<c>EPIPE</c>) drops the text silently; any other failure is an
/// <see cref="IOException"/>. Where libc's <c>write</c> cannot be called at all, it writes through
/// <see cref="Console.Error"/> from then on. Thread-safe.
/// </para>
/// </remarks>
internal sealed unsafe class StandardErrorWriter : TextWriter
{
    private const int Descriptor = 2;
    private const int StackBytes = 512;

    // .NET's default encoding is UTF-8 without a byte order mark (naming UTF8Encoding would load the
    // System.Text.Encoding.Extensions facade at start).
    private static readonly Encoding s_utf8 = Encoding.Default;

    private readonly object _gate = new();
    private readonly Encoder _encoder = s_utf8.GetEncoder(); // keeps half a surrogate pair from one call to the next
    private TextWriter? _console; // set once libc's write turned out not to be callable

    public override Encoding Encoding => s_utf8;

    public override void Write(char value) => WriteCore(&value, 1, newLine: false);

    public override void Write(char[] buffer, int index, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, buffer.Length - index);
        fixed (char* chars = buffer)
        {
            WriteCore(chars + index, count, newLine: false);
        }
    }

    public override void Write(string? value) => WriteString(value, newLine: false);

    public override void Write(ReadOnlySpan<char> buffer) => WriteSpan(buffer, newLine: false);

    public override void WriteLine() => WriteCore(null, 0, newLine: true);

    public override void WriteLine(string? value) => WriteString(value, newLine: true);

    public override void WriteLine(ReadOnlySpan<char> buffer) => WriteSpan(buffer, newLine: true);

    /// <summary>Nothing to do: nothing is buffered.</summary>
    public override void Flush()
    {
    }

    // Strings are pinned rather than turned into spans: that conversion is MemoryExtensions.AsSpan, whose first use loads
    // the System.Memory facade, on the path of the first line after a signal.
    private void WriteString(string? value, bool newLine)
    {
        fixed (char* chars = value)
        {
            WriteCore(chars, value?.Length ?? 0, newLine);
        }
    }

    private void WriteSpan(ReadOnlySpan<char> text, bool newLine)
    {
        fixed (char* chars = text)
        {
            WriteCore(chars, text.Length, newLine);
        }
    }

    private void WriteCore(char* chars, int count, bool newLine)
    {
        char[] newLineChars = newLine ? CoreNewLine : Array.Empty<char>();
        lock (_gate)
        {
            if (_console is { } console)
            {
                console.Write(new ReadOnlySpan<char>(chars, count));
                console.Write(newLineChars);
                return;
            }

            // UTF-8 takes at most 3 bytes per UTF-16 char (4 per surrogate pair), plus 3 for half a pair left from before.
            int most = checked(((count + newLineChars.Length) * 3) + 3);
            byte* stack = stackalloc byte[StackBytes];
            byte[]? heap = most <= StackBytes ? null : new byte[most];
            fixed (byte* onHeap = heap)
            fixed (char* newLineStart = newLineChars)
            {
                byte* bytes = heap is null ? stack : onHeap;
                // (A fixed empty string, span or array is a null pointer, which GetBytes refuses even for no chars.)
                int length = count == 0 ? 0 : _encoder.GetBytes(chars, count, bytes, most, flush: false);
                if (newLineChars.Length > 0)
                {
                    length += _encoder.GetBytes(newLineStart, newLineChars.Length, bytes + length, most - length, flush: false);
                }

                if (length == 0)
                {
                    return;
                }

                try
                {
                    WriteAll(bytes, length);
                }
                catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
                {
                    _console = Console.Error;
                    _console.Write(new ReadOnlySpan<char>(chars, count));
                    _console.Write(newLineChars);
                }
            }
        }
    }

    /// <summary>
    /// Does ahead of time, off the loop thread, what the first line would otherwise do when it is written (typically the
    /// one a signal makes): binds libc's write (a write to descriptor -1, which fails at once and writes nothing) and
    /// runs the UTF-8 encoder once.
    /// </summary>
    internal void Prepare()
    {
        char c = 'a';
        byte b;
        s_utf8.GetBytes(&c, 1, &b, 1);
        try
        {
            Libc.Write(-1, &b, 0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // The first line finds out again and falls back to System.Console.
        }
    }

    private static void WriteAll(byte* next, int length)
    {
        while (length > 0)
        {
            nint written = Libc.Write(Descriptor, next, (nuint)length);
            if (written >= 0)
            {
                next += written;
                length -= (int)written;
                continue;
            }

            int errno = Libc.Errno;
            if (errno == Libc.EINTR)
            {
                continue;
            }

            if (errno == Libc.EAGAIN)
            {
                // A non-blocking descriptor (a pipe another program set so) that is full: wait until it takes more.
                var poll = new Libc.PollFd { Fd = Descriptor, Events = Libc.POLLOUT };
                Libc.Poll(&poll, 1, -1);
                continue;
            }

            if (errno == Libc.EPIPE)
            {
                return; // the reader went away (a closed pipe): dropped, as System.Console drops it
            }

            throw new IOException($"Standard error could not be written: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
        }
    }
}
