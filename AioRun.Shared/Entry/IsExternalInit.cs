namespace System.Runtime.CompilerServices;

// netstandard2.0 lacks the type the compiler needs for `init` and records.
internal static class IsExternalInit
{
}
