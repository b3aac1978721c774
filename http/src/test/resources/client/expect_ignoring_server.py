#!/usr/bin/python3
"""An HTTP/1.1 server that ignores Expect: 100-continue (never sends 100), as many servers do.

Usage: expect_ignoring_server.py      prints "PORT <n>", then serves until killed.

A PUT is answered with "expect=<the Expect field> gap_ms=<time from the end of the head to the
first body byte> bytes=<body length>", so a test can see that the client waited before its body.
"""
import http.server
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_expect_100(self):
        return True  # Says nothing: the client must send its body after its own wait.

    def do_PUT(self):
        head_done = time.monotonic()
        length = int(self.headers.get("Content-Length", "0"))
        first = self.rfile.read(1)
        gap_ms = int((time.monotonic() - head_done) * 1000)
        received = len(first)
        while received < length:
            chunk = self.rfile.read(min(65536, length - received))
            if not chunk:
                break
            received += len(chunk)
        body = ("expect=%s gap_ms=%d bytes=%d" % (self.headers.get("Expect"), gap_ms, received)).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("PORT", server.server_address[1])
sys.stdout.flush()
server.serve_forever()
