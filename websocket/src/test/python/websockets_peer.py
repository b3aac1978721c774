#!/usr/bin/python3
"""python3-websockets (Debian) as the other end, to check we speak WebSocket as others do.

  websockets_peer.py client URL [deflate|plain|window9]
                                                   echo round trips against a server, then close
                                                   (window9: asks for server_max_window_bits=9)
  websockets_peer.py server [window9]              an echo server; prints "PORT <n>", then one
                                                   "closed <code> <reason>" per connection; stops
                                                   when stdin closes (window9: answers a client
                                                   that offers it with client_max_window_bits=9)

Output is tab-separated: "<check>  ok|FAIL  <detail>".
"""

import asyncio
import os
import sys

import websockets
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    ServerPerMessageDeflateFactory,
)


def report(name, ok, detail=""):
    print("%s\t%s\t%s" % (name, "ok" if ok else "FAIL", detail), flush=True)


async def client(url, mode):
    compression = "deflate" if mode == "deflate" else None
    extensions = None
    if mode == "window9":
        # websockets fails the handshake unless the answer names the window (RFC 7692 §7.1.2.1),
        # and inflates with a 512-byte window.
        extensions = [ClientPerMessageDeflateFactory(server_max_window_bits=9)]
    async with websockets.connect(url, compression=compression, extensions=extensions,
                                  max_size=None) as ws:
        extensions = ",".join(e.name for e in ws.extensions)
        report("extensions", extensions == ("plain" != mode and "permessage-deflate" or ""),
               extensions)
        checks = [
            ("text", "hello, wharf"),
            ("unicode", "κόσμε \U0001F600 " * 100),
            ("binary", bytes(range(256)) * 300),
            ("empty", ""),
            ("large-text", "x" * (1 << 20)),
            ("random-binary", os.urandom(200_000)),
        ]
        for name, message in checks:
            await ws.send(message)
            echo = await asyncio.wait_for(ws.recv(), 30)
            report(name, echo == message, "%d bytes" % len(message))
        fragments = ["frag-%d " % i for i in range(50)]
        await ws.send(iter(fragments))
        echo = await asyncio.wait_for(ws.recv(), 30)
        report("fragmented", echo == "".join(fragments))
        pong = await ws.ping(b"ping-data")
        await asyncio.wait_for(pong, 10)
        report("ping", True)
        await ws.close(1000, "bye")
        report("close", ws.close_code == 1000, "code %s reason %r" % (ws.close_code, ws.close_reason))


async def server(mode):
    async def echo(ws, path):
        try:
            async for message in ws:
                await ws.send(message)
        except websockets.ConnectionClosed:
            pass
        print("closed\t%s\t%s" % (ws.close_code, ws.close_reason), flush=True)

    options = dict(compression="deflate")
    if mode == "window9":
        options = dict(compression=None,
                       extensions=[ServerPerMessageDeflateFactory(client_max_window_bits=9)])
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=None, **options) as srv:
        port = next(iter(srv.sockets)).getsockname()[1]
        print("PORT\t%d" % port, flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "client":
        asyncio.run(client(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "deflate"))
    elif len(sys.argv) >= 2 and sys.argv[1] == "server":
        asyncio.run(server(sys.argv[2] if len(sys.argv) > 2 else "deflate"))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
