#!/usr/bin/python3
"""Flood clients for bench/flood: each attack, bounded in connections, bytes and time.

  flood.py idle PORT COUNT HOLD      COUNT silent connections, held HOLD s, then dropped
  flood.py ws PORT CONNS BYTES HOLD  CONNS WebSockets to /ws/echo, each sending one fragmented
                                     message of BYTES that never ends, held HOLD s
  flood.py body PORT CONNS BYTES HOLD CONNS GETs of a file, each with a body of BYTES it does
                                     not take, held HOLD s

Prints one line of key=value figures on stdout. Every connect, send and receive has a deadline;
the whole run ends after at most HOLD + 60 s.
"""

import errno
import selectors
import socket
import sys
import threading
import time

CONNECT_DEADLINE = 20.0  # s: SYNs the full backlog drops are retried by the kernel for this long


def idle(port, count, hold):
    """Opens count non-blocking connects at once; counts those accepted, refused, timed out."""
    sel = selectors.DefaultSelector()
    pending = {}
    opened = []
    refused = 0
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex(("127.0.0.1", port))
        if err not in (0, errno.EINPROGRESS):
            refused += 1
            s.close()
            continue
        pending[s.fileno()] = s
        sel.register(s, selectors.EVENT_WRITE)
    deadline = time.monotonic() + CONNECT_DEADLINE
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            s = pending.pop(key.fd)
            sel.unregister(s)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                opened.append(s)
            else:
                refused += 1
                s.close()
    timed_out = len(pending)
    for s in pending.values():
        s.close()
    # Held: count the connections the server closes on us (EOF or reset) while we wait.
    for s in opened:
        sel.register(s, selectors.EVENT_READ)
    closed_by_server = 0
    end = time.monotonic() + hold
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=max(0.0, min(0.5, end - time.monotonic()))):
            sel.unregister(key.fileobj)
            closed_by_server += 1
    for s in opened:
        s.close()
    print(f"connected={len(opened)} refused={refused} connect_timed_out={timed_out} "
          f"closed_by_server_while_held={closed_by_server}")


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.values = {}

    def add(self, name, n=1):
        with self.lock:
            self.values[name] = self.values.get(name, 0) + n


def ws_frame(first, payload):
    """A masked frame with FIN clear: text first, continuation after (RFC 6455 5.2)."""
    opcode = 0x1 if first else 0x0
    n = len(payload)
    if n < 126:
        head = bytes([opcode, 0x80 | n])
    elif n < 65536:
        head = bytes([opcode, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([opcode, 0x80 | 127]) + n.to_bytes(8, "big")
    return head + b"\0\0\0\0" + payload  # An all-zero mask leaves the payload as it is.


def read_head(s):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def flood_one(kind, port, quota, hold_until, counters):
    chunk = b"a" * 65536
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
    except OSError:
        counters.add("connect_failed")
        return
    s.settimeout(10)
    sent = 0
    try:
        if kind == "ws":
            s.sendall(b"GET /ws/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      b"Sec-WebSocket-Version: 13\r\n\r\n")
            status = read_head(s)
            if " 101 " not in status + " ":
                counters.add("not_upgraded")
                return
            first = True
            while sent < quota and time.monotonic() < hold_until:
                s.sendall(ws_frame(first, chunk))
                first = False
                sent += len(chunk)
        else:
            s.sendall(b"GET /a.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Length: %d\r\n\r\n" % quota)
            while sent < quota and time.monotonic() < hold_until:
                s.sendall(chunk[: min(len(chunk), quota - sent)])
                sent += min(len(chunk), quota - sent)
        counters.add("sent_all" if sent >= quota else "sending_cut_short")
    except socket.timeout:
        counters.add("stalled_by_server")  # The server stopped reading: what a budget does.
    except OSError:
        counters.add("closed_by_server")
    finally:
        counters.add("bytes_sent", sent)
        # Hold what was sent until the end, as an attacker would, then drop it.
        while time.monotonic() < hold_until:
            try:
                s.settimeout(max(0.1, hold_until - time.monotonic()))
                if not s.recv(65536):
                    break
            except socket.timeout:
                break
            except OSError:
                break
        s.close()


def streams(kind, port, conns, quota, hold):
    counters = Counters()
    hold_until = time.monotonic() + hold
    threads = [threading.Thread(target=flood_one, args=(kind, port, quota, hold_until, counters))
               for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, hold_until - time.monotonic() + 30))
    figures = " ".join(f"{k}={v}" for k, v in sorted(counters.values.items()))
    print(f"connections={conns} bytes_per_connection={quota} {figures}")


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    kind = argv[1]
    if kind == "idle":
        idle(int(argv[2]), int(argv[3]), float(argv[4]))
    elif kind in ("ws", "body"):
        streams(kind, int(argv[2]), int(argv[3]), int(argv[4]), float(argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
