"""A one-shot HTTP server that announces a 200 MiB body and sends it slowly.

64 KiB every 50 ms, so a client's time limit ends the transfer long before the body does. Prints
"port N" once listening. It stops by itself after 30 s, when the client leaves, or at the end.
"""

import socket
import sys
import time

TOTAL = 200 * 1024 * 1024
CHUNK = b"\0" * 65536

server = socket.create_server(("127.0.0.1", 0))
server.settimeout(30)
print("port", server.getsockname()[1], flush=True)
try:
    conn, _ = server.accept()
except TimeoutError:
    sys.exit("no client came within 30 s")
conn.settimeout(30)
request = b""
while b"\r\n\r\n" not in request:
    data = conn.recv(4096)
    if not data:
        sys.exit(0)
    request += data
conn.sendall(
    b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
    b"Content-Length: %d\r\n\r\n" % TOTAL
)
sent = 0
deadline = time.monotonic() + 30
try:
    while sent < TOTAL and time.monotonic() < deadline:
        conn.sendall(CHUNK)
        sent += len(CHUNK)
        time.sleep(0.05)
except (BrokenPipeError, ConnectionResetError):
    pass
print("sent", sent, flush=True)
