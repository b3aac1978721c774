#!/usr/bin/python3
"""Loopback TCP pairs for bench/sockets, split over two processes so neither holds more
descriptors than `ulimit -n` allows.

  sockets-pairs.py server COUNT PORTFILE   listens on 127.0.0.1 (a port of the kernel's), writes
                                           it to PORTFILE, accepts COUNT connections, holds them
  sockets-pairs.py client PORT COUNT READYFILE
                                           makes COUNT connections, writes READYFILE, holds them

Both hold what they opened until they are killed (bench/sockets does it as it ends), for an hour
at most; each connect and accept has a deadline, so neither can hang.
"""

import os
import socket
import sys
import time


def hold():
    time.sleep(3600)


def server(count, port_file):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    listener.settimeout(60)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(listener.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    accepted = [listener.accept()[0] for _ in range(count)]
    print("accepted", len(accepted), flush=True)
    hold()


def client(port, count, ready_file):
    connections = []
    for _ in range(count):
        c = socket.create_connection(("127.0.0.1", port), timeout=10)
        connections.append(c)
    with open(ready_file, "w") as f:
        f.write(str(len(connections)))
    hold()


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]), sys.argv[3])
    else:
        client(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
