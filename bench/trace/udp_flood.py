#!/usr/bin/python3
"""UDP flood for bench/trace/run: sends 64-byte datagrams to HOST:PORT at RATE packets per second
(0: as fast as it can) for SECONDS, paced in batches of 100, and prints "sent=N seconds=S".

  udp_flood.py HOST PORT RATE SECONDS
"""

import socket
import sys
import time


def main():
    host, port, rate, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, port))
    payload = b"x" * 64
    batch = 100
    sent = 0
    start = time.monotonic()
    end = start + seconds
    send = s.send
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if rate > 0:
            due = start + sent / rate
            if due > now:
                time.sleep(min(due - now, end - now))
                continue
        for _ in range(batch):
            try:
                send(payload)
            except (ConnectionRefusedError, BlockingIOError):
                pass  # an ICMP error from an earlier datagram, or a full queue: carry on
        sent += batch
    print(f"sent={sent} seconds={time.monotonic() - start:.2f}", flush=True)


if __name__ == "__main__":
    main()
