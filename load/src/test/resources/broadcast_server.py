"""A WebSocket broadcast server for LoadHoldIT (python3-websockets, a peer nobody here wrote).

Listens on 127.0.0.1 at a port the kernel picks and prints it. Each client's text message is
answered with {"ok":true}; "bye" is answered with a close instead. Once EXPECTED clients have
greeted, it broadcasts {"sentMicros":N} (N: now, microseconds since the epoch) to all of them.
Pings are answered with pongs by the library.
"""
import asyncio
import sys
import time

import websockets

EXPECTED = int(sys.argv[1])
greeted = set()


async def handler(ws, path=None):
    async for message in ws:
        if message == "bye":
            await ws.close()
            return
        await ws.send('{"ok":true}')
        greeted.add(ws)
        if len(greeted) == EXPECTED:
            stamp = '{"sentMicros":%d}' % (time.time_ns() // 1000)
            websockets.broadcast(greeted, stamp)


async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, ping_interval=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()


asyncio.run(main())
