#!/usr/bin/env python3
"""Opens N connections to a benchmark server and holds them idle (bench/idle/run's client).

  hold.py http PORT N    each: GET /plaintext HTTP/1.1, the whole answer read, then kept alive
  hold.py ws PORT N      each: upgraded at /ws, one text message echoed, then held

Connections are opened in batches (all of a batch connected and sent, then all answers read), so
10,000 take seconds. Prints "HELD N" once all are open and answered, then holds them until its
stdin ends (the runner closes it) or SIGTERM. Any failure: one line on stderr, exit 1.
"""
import base64
import os
import socket
import sys

BATCH = 200
TIMEOUT_S = 60  # a loaded machine answers slowly; an answer that never comes is an error


def read_until(sock, buf, done):
    while not done(buf):
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buf += chunk
    return buf


def http_open(sock):
    sock.sendall(b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")


def http_answer(sock):
    def whole(b):
        head_end = b.find(b"\r\n\r\n")
        if head_end < 0:
            return False
        length = 0
        for line in b[:head_end].split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return len(b) >= head_end + 4 + length
    answer = read_until(sock, b"", whole)
    if not answer.startswith(b"HTTP/1.1 200"):
        raise ConnectionError("unexpected answer: %r" % answer[:40])


def ws_open(sock):
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n" % key).encode())


def ws_answer(sock):
    buf = read_until(sock, b"", lambda b: b"\r\n\r\n" in b)
    if not buf.startswith(b"HTTP/1.1 101"):
        raise ConnectionError("no upgrade: %r" % buf[:40])
    rest = buf[buf.find(b"\r\n\r\n") + 4:]
    payload = b"hello"
    mask = os.urandom(4)
    masked = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
    echo = read_until(sock, rest, lambda b: len(b) >= 2 + len(payload))
    if echo[:2 + len(payload)] != bytes([0x81, len(payload)]) + payload:
        raise ConnectionError("wrong echo: %r" % echo[:20])


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("http", "ws"):
        print("usage: hold.py http|ws PORT N", file=sys.stderr)
        sys.exit(2)
    kind, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    send, answer = (http_open, http_answer) if kind == "http" else (ws_open, ws_answer)
    held = []
    try:
        while len(held) < n:
            batch = []
            for _ in range(min(BATCH, n - len(held))):
                s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S)
                send(s)
                batch.append(s)
            for s in batch:
                answer(s)
            held.extend(batch)
    except (OSError, ConnectionError, ValueError) as e:
        print("hold.py: after %d connections: %s" % (len(held), e), file=sys.stderr)
        sys.exit(1)
    print("HELD %d" % len(held), flush=True)
    sys.stdin.read()  # until the runner closes our stdin


if __name__ == "__main__":
    main()
