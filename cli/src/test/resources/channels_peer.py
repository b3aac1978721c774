#!/usr/bin/python3
"""python3-websockets (Debian) as a client of `wharf serve --channels` (docs/channels.md).

  channels_peer.py subscriber URL CHANNEL TOTAL [AWAY_AFTER]
      Subscribes to CHANNEL and prints "subscribed <epoch> <offset>", then "delivery <offset>
      <data>" for each publication. With AWAY_AFTER, after that many deliveries it closes the
      connection, prints "away <offset>", waits for a line on stdin, reconnects, subscribes with
      since and prints "recovered <true|false>". After TOTAL deliveries it prints "gapless" if the
      offsets were 1..TOTAL, each once and in order, else "FAIL <offsets>".

  channels_peer.py publisher URL CHANNEL FIRST LAST
      Publishes {"n":FIRST} .. {"n":LAST}, waits for each reply, prints "published <offset>" for
      the last and exits.

  channels_peer.py malformed URL
      Sends malformed requests; prints "<name> <error code> <id or ->" for each reply, then
      "ping ok" if the connection still answers a ping.

  channels_peer.py slow URL CHANNEL
      Subscribes, prints "subscribed", then reads nothing until a line arrives on stdin; then
      reads everything and prints "lagged <offset>" or "delivery <offset>" lines and finally
      "closed <code> <reason>".

  channels_peer.py presence URL CHANNEL
      Asks for CHANNEL's presence every 100 ms and prints "presence <client ids, sorted>" each
      time the answer differs from the last one, until killed.
"""

import asyncio
import json
import sys

import websockets


async def request(ws, message):
    await ws.send(json.dumps(message))
    while True:
        reply = json.loads(await ws.recv())
        if reply.get("id") == message["id"]:
            return reply


async def subscriber(url, channel, total, away_after):
    offsets = []
    epoch = None
    async with websockets.connect(url) as ws:
        reply = await request(ws, {"op": "subscribe", "id": 1, "channel": channel})
        epoch = reply["epoch"]
        print("subscribed", epoch, reply["offset"], flush=True)
        while len(offsets) < (away_after or total):
            message = json.loads(await ws.recv())
            if "data" in message:
                offsets.append(message["offset"])
                print("delivery", message["offset"], json.dumps(message["data"]), flush=True)
    if away_after:
        print("away", offsets[-1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        async with websockets.connect(url) as ws:
            since = {"epoch": epoch, "offset": offsets[-1]}
            await ws.send(json.dumps({"op": "subscribe", "id": 2, "channel": channel, "since": since}))
            while len(offsets) < total:
                message = json.loads(await ws.recv())
                if message.get("id") == 2:
                    print("recovered", str(message.get("recovered")).lower(), flush=True)
                elif "data" in message:
                    offsets.append(message["offset"])
                    print("delivery", message["offset"], json.dumps(message["data"]), flush=True)
    if offsets == list(range(1, total + 1)):
        print("gapless", flush=True)
    else:
        print("FAIL", offsets, flush=True)


async def publisher(url, channel, first, last):
    async with websockets.connect(url) as ws:
        reply = None
        for n in range(first, last + 1):
            reply = await request(ws, {"op": "publish", "id": n, "channel": channel, "data": {"n": n}})
            if "error" in reply:
                print("refused", json.dumps(reply), flush=True)
                return
        print("published", reply["offset"], flush=True)


MALFORMED = [
    ("not-json", "hello"),
    ("array", "[1,2]"),
    ("unknown-op", '{"op":"dance","id":7}'),
    ("no-id", '{"op":"ping"}'),
    ("bad-channel", '{"op":"subscribe","id":8,"channel":"a b"}'),
    ("no-data", '{"op":"publish","id":9,"channel":"x"}'),
    ("duplicate-key", '{"op":"ping","id":1,"id":2}'),
    ("deep", '{"op":"publish","id":10,"channel":"x","data":' + "[" * 3000 + "]" * 3000 + "}"),
    ("too-large", '{"op":"publish","id":11,"channel":"x","data":"' + "x" * 70000 + '"}'),
]


async def malformed(url):
    async with websockets.connect(url, max_size=2**24) as ws:
        for name, text in MALFORMED:
            await ws.send(text)
            reply = json.loads(await ws.recv())
            print(name, reply["error"]["code"], reply.get("id", "-"), flush=True)
        await ws.send(b"\x00binary")
        reply = json.loads(await ws.recv())
        print("binary", reply["error"]["code"], reply.get("id", "-"), flush=True)
        reply = await request(ws, {"op": "ping", "id": "last"})
        print("ping", "ok" if reply.get("ok") else json.dumps(reply), flush=True)


async def slow(url, channel):
    # max_queue=1 and small limits: once the library's buffers fill it stops reading the socket.
    async with websockets.connect(url, max_queue=1, read_limit=2**12, write_limit=2**12) as ws:
        await request(ws, {"op": "subscribe", "id": 1, "channel": channel})
        print("subscribed", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        try:
            while True:
                message = json.loads(await ws.recv())
                if "lagged" in message:
                    print("lagged", message["lagged"]["offset"], flush=True)
                elif "data" in message:
                    print("delivery", message["offset"], flush=True)
        except websockets.exceptions.ConnectionClosed:
            pass
        print("closed", ws.close_code, ws.close_reason, flush=True)


async def presence(url, channel):
    async with websockets.connect(url) as ws:
        last = None
        n = 0
        while True:
            n += 1
            reply = await request(ws, {"op": "presence", "id": n, "channel": channel})
            clients = sorted(c["client"] for c in reply["clients"])
            if clients != last:
                print("presence", " ".join(clients), flush=True)
                last = clients
            await asyncio.sleep(0.1)


def main():
    mode, url = sys.argv[1], sys.argv[2]
    if mode == "subscriber":
        away = int(sys.argv[5]) if len(sys.argv) > 5 else 0
        asyncio.run(subscriber(url, sys.argv[3], int(sys.argv[4]), away))
    elif mode == "publisher":
        asyncio.run(publisher(url, sys.argv[3], int(sys.argv[4]), int(sys.argv[5])))
    elif mode == "malformed":
        asyncio.run(malformed(url))
    elif mode == "slow":
        asyncio.run(slow(url, sys.argv[3]))
    elif mode == "presence":
        asyncio.run(presence(url, sys.argv[3]))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
