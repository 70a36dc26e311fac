using System;
using System.Text;

namespace AioRun.Generator;

/// <summary>Writes C# source line by line, keeping the indentation; <see cref="Block"/> opens a brace block that closes on dispose.</summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _text = new();
    private int _depth;

    public void Line(string line = "")
    {
        if (line.Length > 0)
        {
            for (int i = 0; i < _depth; i++)
            {
                _text.Append(IndentUnit);
            }

            _text.Append(line);
        }

        _text.Append('\n');
    }

    /// <summary>Writes <paramref name="header"/> (if any) and <c>{</c>; the returned scope writes <c>}</c> (plus <paramref name="closingSuffix"/>).</summary>
    public Scope Block(string? header = null, string closingSuffix = "")
    {
        if (header is not null)
        {
            Line(header);
        }

        Line("{");
        _depth++;
        return new Scope(this, closingSuffix);
    }

    public override string ToString() => _text.ToString();

    internal readonly struct Scope : IDisposable
    {
        private readonly SourceWriter _writer;
        private readonly string _closingSuffix;

        public Scope(SourceWriter writer, string closingSuffix)
        {
            _writer = writer;
            _closingSuffix = closingSuffix;
        }

        public void Dispose()
        {
            _writer._depth--;
            _writer.Line("}" + _closingSuffix);
        }
    }
}
