using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Xunit;

namespace AioRun.Tests.Net;

/// <summary>SslStream over the connection's stream, both ends on one loop.</summary>
public class SslTests
{
    [Theory]
    [MemberData(nameof(Loops.Both), MemberType = typeof(Loops))]
    public void SslStream_works_over_the_connection_stream(string kind)
    {
        using X509Certificate2 certificate = SelfSigned();
        string reply = Loops.Run(kind, async () =>
        {
            using AioTcpListener listener = Loops.StartLoopback();
            Task<AioTcpConnection> accepting = listener.AcceptAsync().AsTask();
            using AioTcpConnection client = await AioTcpConnection.ConnectAsync(listener.LocalEndPoint);
            using AioTcpConnection server = await accepting;

            AioTask<string> serving = Aio.CreateTask(async () =>
            {
                await using var tls = new SslStream(server.Stream, leaveInnerStreamOpen: true);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate });
                var buffer = new byte[64];
                int n = await tls.ReadAsync(buffer);
                await tls.WriteAsync(buffer.AsMemory(0, n));
                return Encoding.ASCII.GetString(buffer, 0, n);
            }, "tls server");

            await using var tls = new SslStream(client.Stream, leaveInnerStreamOpen: true, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
            await tls.WriteAsync(Encoding.ASCII.GetBytes("secret hello"));
            var back = new byte[64];
            int total = 0;
            while (total < "secret hello".Length)
            {
                total += await tls.ReadAsync(back.AsMemory(total));
            }

            Assert.Equal("secret hello", await serving);
            return Encoding.ASCII.GetString(back, 0, total);
        });

        Assert.Equal("secret hello", reply);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // A certificate with an ephemeral key cannot serve TLS on every platform; a PKCS#12 round trip makes it persistable.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);
    }
}
