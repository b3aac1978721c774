#!/usr/bin/python3
"""python3-websockets (Debian) as the other end, to check we speak WebSocket as others do: of the
websocket module's client and server, and of the cli's `wharf ws` and `wharf serve`'s /ws/echo.
One script for both modules' tests, so that the two cannot drift apart in what they check.

  websockets_peer.py server [deflate|window9]
      A WebSocket server on 127.0.0.1; prints "PORT <n>", then "closed <code> <reason>" for each
      connection; stops when stdin closes. window9 answers a client that offers it with
      client_max_window_bits=9. What it does depends on the path:
        /close/<code>   closes at once with that code and the reason "bye"
        /push/<n>       sends "push 1" .. "push <n>" and waits for the client to close
        /hello          sends "hello <X-Name header>", then echoes
        /binary         sends the bytes 00 01 ff, then echoes
        /flaky          first connection: "first", then drops TCP; second: "second", then
                        closes with 1012; later ones: "third", then echoes
        any other       sends every message back (permessage-deflate accepted)

  websockets_peer.py client URL [deflate|plain|window9] [USER:PASSWORD|-] [CAFILE]
      Echo round trips against a server (text, unicode, binary, large, empty, fragmented, ping),
      then a normal close. window9 asks for server_max_window_bits=9. A wss:// URL trusts the CA
      certificates in CAFILE.

  websockets_peer.py talk URL
      Sends "from python 1" and "from python 2" and b"\\x00\\xffbin", then prints each message
      received ("text <data>" or "binary <hex>") until the server closes; then "closed <code>".

  websockets_peer.py reply URL TEXT [CAFILE]
      Sends TEXT, prints the first message received ("text <data>"), closes with 1000 and prints
      "closed <code> <reason>"; if the server closes first, prints its code instead. A wss:// URL
      trusts the certificates in CAFILE.

  websockets_peer.py mute-server
      A WebSocket server written on a bare socket, for one connection: prints "PORT <n>", answers
      the upgrade, then reads and never answers a frame, a Close included. Prints "eof" when the
      client drops the connection.

Output is tab-separated; the checks of client print "<check>  ok|FAIL  <detail>".
"""

import asyncio
import base64
import os
import ssl
import sys

import websockets
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    ServerPerMessageDeflateFactory,
)


def say(*parts):
    print("\t".join(str(p) for p in parts), flush=True)


async def client(url, mode, credentials, cafile):
    compression = "deflate" if mode == "deflate" else None
    extensions = None
    if mode == "window9":
        # websockets fails the handshake unless the answer names the window (RFC 7692 §7.1.2.1),
        # and inflates with a 512-byte window.
        extensions = [ClientPerMessageDeflateFactory(server_max_window_bits=9)]
    headers = {}
    if credentials and credentials != "-":
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
    tls = ssl.create_default_context(cafile=cafile) if url.startswith("wss:") else None
    async with websockets.connect(
        url,
        compression=compression,
        extensions=extensions,
        max_size=None,
        extra_headers=headers,
        ssl=tls,
    ) as ws:
        agreed = ",".join(e.name for e in ws.extensions)
        expected = "" if mode == "plain" else "permessage-deflate"
        say("extensions", "ok" if agreed == expected else "FAIL", agreed)
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
            say(name, "ok" if echo == message else "FAIL", "%d bytes" % len(message))
        fragments = ["frag-%d " % i for i in range(50)]
        await ws.send(iter(fragments))
        echo = await asyncio.wait_for(ws.recv(), 30)
        say("fragmented", "ok" if echo == "".join(fragments) else "FAIL", "")
        pong = await ws.ping(b"ping-data")
        await asyncio.wait_for(pong, 10)
        say("ping", "ok", "")
        await ws.close(1000, "bye")
        say("close", "ok" if ws.close_code == 1000 else "FAIL", "code %s reason %r" % (ws.close_code, ws.close_reason))


async def talk(url):
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send("from python 1")
        await ws.send("from python 2")
        await ws.send(b"\x00\xffbin")
        try:
            async for message in ws:
                if isinstance(message, bytes):
                    say("binary", message.hex())
                else:
                    say("text", message)
        except websockets.ConnectionClosed:
            pass
        say("closed", ws.close_code, ws.close_reason)


async def reply(url, text, cafile):
    tls = ssl.create_default_context(cafile=cafile) if url.startswith("wss:") else None
    async with websockets.connect(url, ssl=tls) as ws:
        await ws.send(text)
        try:
            message = await asyncio.wait_for(ws.recv(), 30)
            say("text", message)
            await ws.close(1000)
        except websockets.ConnectionClosed:
            pass
        say("closed", ws.close_code, ws.close_reason)


def mute_server():
    import hashlib
    import socket

    with socket.create_server(("127.0.0.1", 0)) as listener:
        say("PORT", listener.getsockname()[1])
        listener.settimeout(30)
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(30)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            key = next(
                line.split(b":", 1)[1].strip()
                for line in request.split(b"\r\n")
                if line.lower().startswith(b"sec-websocket-key:")
            )
            accept = base64.b64encode(
                hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest()
            )
            conn.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
            )
            say("open")
            while conn.recv(4096):
                pass
            say("eof")


async def server(mode):
    flaky = {"count": 0}

    async def echo(ws):
        async for message in ws:
            await ws.send(message)

    async def handle(ws, path):
        try:
            if path.startswith("/close/"):
                await ws.close(int(path[len("/close/"):]), "bye")
            elif path.startswith("/push/"):
                for i in range(1, int(path[len("/push/"):]) + 1):
                    await ws.send("push %d" % i)
                await ws.wait_closed()
            elif path == "/hello":
                await ws.send("hello " + ws.request_headers.get("X-Name", "?"))
                await echo(ws)
            elif path == "/binary":
                await ws.send(b"\x00\x01\xff")
                await echo(ws)
            elif path == "/flaky":
                flaky["count"] += 1
                if flaky["count"] == 1:
                    await ws.send("first")
                    await asyncio.sleep(0.2)
                    ws.transport.abort()
                elif flaky["count"] == 2:
                    await ws.send("second")
                    await ws.close(1012, "restart")
                else:
                    await ws.send("third")
                    await echo(ws)
            else:
                await echo(ws)
        except websockets.ConnectionClosed:
            pass
        say("closed", ws.close_code, ws.close_reason)

    options = dict(compression="deflate")
    if mode == "window9":
        options = dict(
            compression=None,
            extensions=[ServerPerMessageDeflateFactory(client_max_window_bits=9)],
        )
    async with websockets.serve(
        handle, "127.0.0.1", 0, max_size=None, subprotocols=["chat"], **options
    ) as srv:
        say("PORT", next(iter(srv.sockets)).getsockname()[1])
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "client":
        mode = sys.argv[3] if len(sys.argv) > 3 else "deflate"
        credentials = sys.argv[4] if len(sys.argv) > 4 else None
        cafile = sys.argv[5] if len(sys.argv) > 5 else None
        asyncio.run(client(sys.argv[2], mode, credentials, cafile))
    elif len(sys.argv) == 3 and sys.argv[1] == "talk":
        asyncio.run(talk(sys.argv[2]))
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "reply":
        asyncio.run(reply(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) == 5 else None))
    elif len(sys.argv) == 2 and sys.argv[1] == "mute-server":
        mute_server()
    elif len(sys.argv) in (2, 3) and sys.argv[1] == "server":
        asyncio.run(server(sys.argv[2] if len(sys.argv) == 3 else "deflate"))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
