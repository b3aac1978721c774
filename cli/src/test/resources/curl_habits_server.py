"""A server for comparing `wharf get` with curl: prints "port N" on stdout, then serves until killed.

Any POST or PUT answers "<path> <bytes> <sha256>\n" about the body it received, whether sent with
Content-Length or chunked; a multipart/form-data body is answered with one line per part:
"<name> <filename or -> <bytes> <sha256>". GET:
  /status/<code>   that status, body "status <code>\n"
  /truncated       announces 100 bytes, sends 10, closes
  /gzip, /deflate  "hello compressed\n" x 200, encoded so when the request accepts it
  /range           the 1000 bytes "0123456789" x 100, with byte ranges (one range) as 206
  /auth            200 "welcome\n" for Basic ann:s3cret, else 401
  /flaky/<name>    the first request of each name 503 with Retry-After: 1, then 200 "recovered\n"
  /header          200 "headers\n" with X-Thing: abc and Content-Type: text/plain
  /redirect        302 to /header
  /binary          the bytes 0 to 255
Also prints "tls N": a port that answers anything with a TLS alert, as a TLS server does to HTTP.
"""
import base64
import email.parser
import email.policy
import gzip
import hashlib
import http.server
import re
import socket
import threading
import zlib

COMPRESSIBLE = b"hello compressed\n" * 200
DIGITS = b"0123456789" * 100
seen = set()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path.startswith("/status/"):
            code = int(path[len("/status/"):])
            self.answer(code, f"status {code}\n".encode())
        elif path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.close_connection = True
        elif path in ("/gzip", "/deflate"):
            accepted = self.headers.get("Accept-Encoding", "")
            coding = path[1:]
            if coding in accepted:
                body = gzip.compress(COMPRESSIBLE) if coding == "gzip" else zlib.compress(COMPRESSIBLE)
                self.answer(200, body, [("Content-Encoding", coding)])
            else:
                self.answer(200, COMPRESSIBLE)
        elif path == "/range":
            match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
            if not match:
                self.answer(200, DIGITS, [("Accept-Ranges", "bytes")])
                return
            first, last = match.groups()
            if first == "":
                first, last = len(DIGITS) - int(last), len(DIGITS) - 1
            else:
                first, last = int(first), int(last) if last else len(DIGITS) - 1
            if first >= len(DIGITS):
                self.answer(416, b"", [("Content-Range", f"bytes */{len(DIGITS)}")])
                return
            last = min(last, len(DIGITS) - 1)
            self.answer(206, DIGITS[first:last + 1],
                        [("Content-Range", f"bytes {first}-{last}/{len(DIGITS)}")])
        elif path == "/auth":
            expected = "Basic " + base64.b64encode(b"ann:s3cret").decode()
            if self.headers.get("Authorization") == expected:
                self.answer(200, b"welcome\n")
            else:
                self.answer(401, b"who are you?\n", [("WWW-Authenticate", 'Basic realm="test"')])
        elif path.startswith("/flaky/"):
            if path in seen:
                self.answer(200, b"recovered\n")
            else:
                seen.add(path)
                self.answer(503, b"", [("Retry-After", "1")])
        elif path == "/binary":
            self.answer(200, bytes(range(256)), [("Content-Type", "application/octet-stream")])
        elif path == "/redirect":
            self.answer(302, b"", [("Location", "/header")])
        elif path == "/header":
            self.answer(200, b"headers\n", [("X-Thing", "abc"), ("Content-Type", "text/plain")])
        else:
            self.answer(404, b"no such route\n")

    def do_POST(self):
        digest, count, received = hashlib.sha256(), 0, []
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    break
                data = self.rfile.read(size)
                digest.update(data)
                count += len(data)
                self.rfile.readline()
        else:
            left = int(self.headers.get("Content-Length", "0"))
            while left:
                data = self.rfile.read(min(left, 1 << 20))
                if not data:
                    break
                if len(received) < 64:  # Forms in the tests are small; a big upload is counted.
                    received.append(data)
                digest.update(data)
                count += len(data)
                left -= len(data)
        if self.headers.get("Content-Type", "").startswith("multipart/form-data"):
            self.answer(200, form_parts(self.headers["Content-Type"], received))
            return
        self.answer(200, f"{self.path} {count} {digest.hexdigest()}\n".encode())

    do_PUT = do_POST


def form_parts(content_type, chunks):
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + b"".join(chunks))
    lines = []
    for part in message.iter_parts():
        data = part.get_payload(decode=True) or b""
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition") or "-"
        lines.append(f"{name} {filename} {len(data)} {hashlib.sha256(data).hexdigest()}\n")
    return "".join(lines).encode()


def tls_alerts(listener):
    """Answers whatever comes with a fatal protocol_version alert, then closes."""
    while True:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(4096)
                conn.sendall(bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]))
            except OSError:
                pass


tls = socket.create_server(("127.0.0.1", 0))
threading.Thread(target=tls_alerts, args=(tls,), daemon=True).start()
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("tls", tls.getsockname()[1], flush=True)
print("port", server.server_address[1], flush=True)
server.serve_forever()
