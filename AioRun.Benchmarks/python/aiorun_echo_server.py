"""The Python peers of the echo benchmark: an echo server run by aiorun, on asyncio or (with --uvloop) on uvloop.

Prints READY <port>, then echoes what each connection sends until it is killed. aiorun comes from PYTHONPATH
(the benchmark points it at ../shared/peers); uvloop is the system's python3-uvloop.
"""
import asyncio
import sys

from aiorun import run


async def handle(reader, writer):
    try:
        while True:
            data = await reader.read(4096)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    use_uvloop = "--uvloop" in sys.argv
    if use_uvloop:
        import uvloop  # noqa: F401  (fails here, with a clear message, when uvloop is missing)
        print(f"uvloop {uvloop.__version__}", file=sys.stderr, flush=True)
    run(main(), use_uvloop=use_uvloop)
