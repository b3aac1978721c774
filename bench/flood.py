#!/usr/bin/python3
"""Flood clients for bench/flood: each attack, bounded in connections, bytes and time.

  flood.py idle PORT COUNT HOLD      COUNT silent connections, held HOLD s, then dropped
  flood.py ws PORT CONNS BYTES HOLD  CONNS WebSockets to /ws/echo, each sending one fragmented
                                     message of BYTES that never ends, held HOLD s
  flood.py body PORT CONNS BYTES HOLD CONNS GETs of a file, each with a body of BYTES it does
                                     not take, held HOLD s
  flood.py ranges PORT COUNT SIZE HOLD
                                     COUNT GETs of /big.bin (SIZE bytes) with 16 ranges each
                                     (half overlapping, half disjoint), on a 4 KiB receive
                                     buffer read by nobody for HOLD s; statuses counted
  flood.py slow PORT COUNT BURST TRICKLE LIMIT
                                     COUNT PUTs sending BURST bytes, then a byte every TRICKLE
                                     s, for at most LIMIT s; statuses (408, 500, ...) counted
  flood.py headers PORT COUNT SIZE HOLD READY
                                     COUNT keep-alive GETs with SIZE-byte header sections; the
                                     file READY is written once all are answered, then the
                                     connections are held idle HOLD s

Prints one line of key=value figures on stdout. Every connect, send and receive has a deadline;
the whole run ends after at most HOLD (or LIMIT) + 60 s.
"""

import errno
import os
import selectors
import socket
import sys
import threading
import time

CONNECT_DEADLINE = 20.0  # s: SYNs the full backlog drops are retried by the kernel for this long


def open_all(port, count, rcvbuf=0):
    """Opens count non-blocking connects at once; returns (opened, refused, timed_out).

    rcvbuf, when set, is the receive buffer asked for before connecting (so the window is small).
    """
    sel = selectors.DefaultSelector()
    pending = {}
    opened = []
    refused = 0
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
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
    sel.close()
    return opened, refused, timed_out


def idle(port, count, hold):
    """Holds count silent connections; counts those accepted, refused, timed out."""
    opened, refused, timed_out = open_all(port, count)
    sel = selectors.DefaultSelector()
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


class Conn:
    """One non-blocking connection of the ranges, slow and headers floods: what is left to
    send, and the status line of the answer once one came."""

    def __init__(self, s, out):
        self.s = s
        self.out = out
        self.got = b""
        self.status = None  # "408", "206", ...; "none" if closed before a status line
        self.closed = False
        self.answered_at = None  # monotonic s when the status line came

    def send(self):
        """Sends what the socket takes now; False once the server closed it."""
        try:
            n = self.s.send(self.out)
        except BlockingIOError:
            return True
        except OSError:
            self.closed = True
            return False
        self.out = self.out[n:]
        return True

    def receive(self, limit=65536):
        """Reads what is there (up to limit) and takes the status line from it."""
        try:
            chunk = self.s.recv(limit)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.closed = True
        if self.status is None and len(self.got) < 4096:
            self.got += chunk
            if b"\r\n" in self.got:
                line = self.got.split(b"\r\n", 1)[0].split()
                self.status = line[1].decode("latin-1") if len(line) > 1 else "bad"
                self.answered_at = time.monotonic()
        if self.closed and self.status is None:
            self.status = "none"


def pump(conns, until, read=True, on_tick=None, done=None):
    """Sends what each connection has left and reads its answer until `until` (monotonic s) or
    done() is true; on_tick(now) runs every 0.5 s at least."""
    sel = selectors.DefaultSelector()
    by_fd = {}
    for c in conns:
        if not c.closed:
            by_fd[c.s.fileno()] = c
            sel.register(c.s, selectors.EVENT_READ | selectors.EVENT_WRITE)
    while by_fd and time.monotonic() < until and not (done and done()):
        for key, events in sel.select(timeout=max(0.0, min(0.5, until - time.monotonic()))):
            c = by_fd[key.fd]
            if events & selectors.EVENT_WRITE:
                c.send()
            if events & selectors.EVENT_READ and read:
                c.receive()
            if c.closed:
                sel.unregister(c.s)
                del by_fd[key.fd]
            else:
                wanted = (selectors.EVENT_READ if read else 0) | (
                    selectors.EVENT_WRITE if c.out else 0)
                if wanted == 0:
                    sel.unregister(c.s)
                    del by_fd[key.fd]
                elif wanted != key.events:
                    sel.modify(c.s, wanted)
        if on_tick:
            on_tick(time.monotonic(), sel, by_fd)
    sel.close()


def statuses(conns):
    counts = {}
    for c in conns:
        key = c.status or "none"
        counts[key] = counts.get(key, 0) + 1
    return " ".join(f"status_{k}={v}" for k, v in sorted(counts.items()))


RANGES = 16


def ranges(port, count, size, hold):
    """count GETs of /big.bin with 16 ranges each, half overlapping (0-99999, 16 times), half
    disjoint (100,000 bytes every size/16), on a receive buffer of 4 KiB read by nobody for hold
    s; then the status line of each answer is read."""
    opened, refused, timed_out = open_all(port, count, rcvbuf=4096)
    step = size // RANGES
    overlapping = ",".join("0-99999" for _ in range(RANGES))
    disjoint = ",".join(f"{i * step}-{i * step + 99999}" for i in range(RANGES))
    conns = []
    for i, s in enumerate(opened):
        spec = overlapping if i % 2 == 0 else disjoint
        conns.append(Conn(s, b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             b"Range: bytes=%s\r\n\r\n" % spec.encode()))
    # Send the requests, read nothing: the answers stay in the server's hands.
    end = time.monotonic() + hold
    pump(conns, end, read=False)
    time.sleep(max(0.0, end - time.monotonic()))
    # Then read until every answer's status line is in, 10 s at most for them all.
    pump(conns, time.monotonic() + 10, done=lambda: all(c.status is not None for c in conns))
    for c in conns:
        c.s.close()
    print(f"connected={len(opened)} refused={refused} connect_timed_out={timed_out} "
          f"{statuses(conns)} (status_none: no status line within 10 s after the hold)")


def slow(port, count, burst, trickle, limit):
    """count PUTs declaring 1 MiB that send burst bytes at once, then one byte every trickle s,
    until answered or limit s; counts the answers' statuses."""
    opened, refused, timed_out = open_all(port, count)
    pid = os.getpid()
    conns = [Conn(s, b"PUT /slow-%d-%d.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Length: 1048576\r\n\r\n%s" % (pid, i, b"a" * burst))
             for i, s in enumerate(opened)]
    start = time.monotonic()
    next_drip = [time.monotonic() + trickle]

    def drip(now, sel, by_fd):
        if now < next_drip[0]:
            return
        next_drip[0] = now + trickle
        for c in by_fd.values():
            if c.status is None and not c.out:
                c.out = b"a"
                sel.modify(c.s, selectors.EVENT_READ | selectors.EVENT_WRITE)

    pump(conns, time.monotonic() + limit, on_tick=drip,
         done=lambda: all(c.status is not None for c in conns))
    for c in conns:
        c.s.close()
    counts = {"408": 0, "500": 0, "other": 0, "none": 0}
    others = set()
    for c in conns:
        if c.status in (None, "none"):
            counts["none"] += 1
        elif c.status in ("408", "500"):
            counts[c.status] += 1
        else:
            counts["other"] += 1
            others.add(c.status)
    print(f"connected={len(opened)} refused={refused} connect_timed_out={timed_out} "
          f"status_408={counts['408']} status_500={counts['500']} status_other={counts['other']}"
          f"{' (' + ','.join(sorted(others)) + ')' if others else ''} no_status={counts['none']}"
          f"{answer_times(conns, start)}")


def answer_times(conns, start):
    """ answered_after_s=median/max, counted from when the requests began to be sent; then the
    same for each status, as status_after_s=408:median/max,503:median/max."""
    def spread(times):
        times = sorted(times)
        return f"{times[len(times) // 2]:.1f}/{times[-1]:.1f}"

    answered = [c for c in conns if c.answered_at is not None]
    if not answered:
        return ""
    by_status = {}
    for c in answered:
        by_status.setdefault(c.status, []).append(c.answered_at - start)
    each = ",".join(f"{k}:{spread(v)}" for k, v in sorted(by_status.items()))
    return (f" answered_after_s={spread(c.answered_at - start for c in answered)}(median/max)"
            f" status_after_s={each}")


def headers(port, count, size, hold, ready):
    """count keep-alive GETs of /a.txt with a header section of size bytes (fields of 7 KiB), one
    per connection; once all are answered (or 60 s), writes the ready file and holds them idle
    for hold s."""
    opened, refused, timed_out = open_all(port, count)
    head = b"GET /a.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    fields = []
    left = size - len(head) - 2
    n = 0
    while left > 0:
        value = min(7 * 1024, left - 12)
        fields.append(b"X-Pad-%02d: %s\r\n" % (n, b"a" * max(1, value)))
        left -= len(fields[-1])
        n += 1
    request = head + b"".join(fields) + b"\r\n"
    conns = [Conn(s, request) for s in opened]
    pump(conns, time.monotonic() + 60, done=lambda: all(c.status is not None for c in conns))
    with open(ready, "w") as f:
        f.write("ready\n")
    closed_before_hold = sum(1 for c in conns if c.closed)
    # Held idle on keep-alive: count the connections the server closes on us meanwhile.
    pump(conns, time.monotonic() + hold)
    closed = sum(1 for c in conns if c.closed) - closed_before_hold
    for c in conns:
        c.s.close()
    print(f"connected={len(opened)} refused={refused} connect_timed_out={timed_out} "
          f"request_bytes={len(request)} {statuses(conns)} closed_by_server_while_held={closed}")


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
    elif kind == "ranges":
        ranges(int(argv[2]), int(argv[3]), int(argv[4]), float(argv[5]))
    elif kind == "slow":
        slow(int(argv[2]), int(argv[3]), int(argv[4]), float(argv[5]), float(argv[6]))
    elif kind == "headers":
        headers(int(argv[2]), int(argv[3]), int(argv[4]), float(argv[5]), argv[6])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
