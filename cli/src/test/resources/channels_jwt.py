#!/usr/bin/python3
"""PyJWT (Debian's python3-jwt) and python3-websockets against `wharf serve --channels` with a
JWT key (docs/channels.md, "Who may connect").

  channels_jwt.py token hs256 SECRET_VAR USER SUBSCRIBE PUBLISH EXPIRES_IN
  channels_jwt.py token rs256 KEY_FILE USER SUBSCRIBE PUBLISH EXPIRES_IN
      Prints a token for USER (the sub claim) granting the comma-separated channel patterns
      SUBSCRIBE and PUBLISH ("-" for none), expiring EXPIRES_IN seconds from now (negative: in the
      past). HS256 takes the secret from the environment variable SECRET_VAR; RS256 signs with
      the PEM private key in KEY_FILE.

  channels_jwt.py query URL TOKEN CHANNEL
      Connects to URL?token=TOKEN, subscribes to CHANNEL and asks for its presence. Prints
      "subscribed", then "presence <user> ..." and closes; or, when refused, "error <code>
      <message>" and "closed <code> <reason>".
"""

import asyncio
import json
import os
import sys
import time

import jwt
import websockets


def token(algorithm, key_source, user, subscribe, publish, expires_in):
    claims = {
        "sub": user,
        "subscribe": [] if subscribe == "-" else subscribe.split(","),
        "publish": [] if publish == "-" else publish.split(","),
        "exp": int(time.time()) + int(expires_in),
    }
    if algorithm == "hs256":
        key = os.environ[key_source]
        print(jwt.encode(claims, key, algorithm="HS256"))
    else:
        with open(key_source, "rb") as f:
            print(jwt.encode(claims, f.read(), algorithm="RS256"))


async def query(url, tok, channel):
    async with websockets.connect(url + "?token=" + tok) as ws:
        try:
            await ws.send(json.dumps({"op": "subscribe", "id": 1, "channel": channel}))
        except websockets.ConnectionClosed:
            pass  # refused at once: what the server said before closing is still to be read
        try:
            while True:
                message = json.loads(await ws.recv())
                if "error" in message:
                    error = message["error"]
                    print("error", error["code"], error["message"], flush=True)
                elif message.get("id") == 1:
                    print("subscribed", flush=True)
                    # After the reply: the subscriber is in the channel's presence by then.
                    await ws.send(json.dumps({"op": "presence", "id": 2, "channel": channel}))
                elif message.get("id") == 2:
                    users = sorted(c["user"] for c in message["clients"])
                    print("presence", *users, flush=True)
                    return
        except websockets.ConnectionClosed as e:
            print("closed", e.rcvd.code, e.rcvd.reason, flush=True)


def main():
    if sys.argv[1] == "token":
        token(*sys.argv[2:8])
    elif sys.argv[1] == "query":
        asyncio.run(query(*sys.argv[2:5]))
    else:
        sys.exit("unknown command " + sys.argv[1])


if __name__ == "__main__":
    main()
