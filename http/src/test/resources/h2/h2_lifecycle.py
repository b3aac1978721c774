#!/usr/bin/python3
"""HTTP/2 connection life and message extras against a server, one case per run.

Usage: h2_lifecycle.py HOST PORT CASE

Prints one event a line and flushes each, so that a test can follow along while the case runs.

Raw frames (h2_cases.py's Peer, python3-hpack), for what python3-h2 cannot do (it stops reading
at the first GOAWAY, and acknowledges SETTINGS by itself):
  shutdown          GET /slow on stream 1 and waits; when the server shuts down (the test stops
                    it), prints each GOAWAY with its last stream id and the PING between them,
                    opens stream 3 before acknowledging that PING and stream 5 after the second
                    GOAWAY, and prints what comes until the close
  shutdown_no_ack   the same, but never acknowledges the PING
  settings_no_ack   never acknowledges the server's SETTINGS: prints the GOAWAY and how long it
                    took
  settings_ack      acknowledges them, waits 2.5 s, then PINGs: prints PING_ACK if still served

python3-h2's H2Connection, a complete client:
  trailers          GET /trailers (te: trailers), then POST /echo-trailers and PUT /stream-trailers
                    with request trailers; prints the responses, their bodies and trailers
  continue          expect: 100-continue on POST /echo (whole body), PUT /stream-echo (streamed,
                    read), PUT /refuse (a handler that answers 417 without reading) and a POST
                    /echo whose content-length is over the limit (413); the body is sent only
                    after a 100, or never
"""
import os
import socket
import struct
import sys
import time

import h2.config
import h2.connection
import h2.events
import hpack

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2_cases import (ACK, CODES, DATA, END_STREAM, GOAWAY, HEADERS, PADDED, PING,  # noqa: E402
                      RST_STREAM, SETTINGS, Peer, frame)


def say(*words):
    print(*words)
    sys.stdout.flush()


def code_name(code):
    return CODES[code] if code < len(CODES) else hex(code)


# ---- raw frames ----

def shutdown(p, ack_ping):
    """Follows a graceful shutdown frame by frame; the test stops the server after READY."""
    p.start()
    p.send(p.request(1, "/slow"))
    decoder = hpack.Decoder()
    goaways = 0
    deadline = time.time() + 60
    while True:
        try:
            got = p.read_frame(deadline)
        except socket.timeout:
            say("TIMEOUT")
            return
        except OSError:
            say("CLOSED")
            return
        if got is None:
            say("CLOSED")
            return
        ftype, flags, stream, payload = got
        if ftype == SETTINGS and not flags & ACK:
            p.send(frame(SETTINGS, ACK, 0))
            say("READY")
        elif ftype == GOAWAY:
            last = struct.unpack(">I", payload[:4])[0] & 0x7FFFFFFF
            code = struct.unpack(">I", payload[4:8])[0]
            goaways += 1
            say("GOAWAY", code_name(code), "LAST", last)
            if goaways == 2:
                # Past the last stream id: the server must not take it.
                p.send(p.request(5, "/hello"))
        elif ftype == PING and not flags & ACK:
            say("PING")
            # A request sent before the PING's ACK is in flight for the server: it is taken.
            p.send(p.request(3, "/hello"))
            if ack_ping:
                p.send(frame(PING, ACK, 0, payload))
        elif ftype == HEADERS:
            fields = dict(decoder.decode(payload if not flags & PADDED else payload[1:]))
            say("HEADERS", stream, fields.get(":status", "?"))
            if flags & END_STREAM:
                say("END_STREAM", stream)
        elif ftype == DATA and flags & END_STREAM:
            say("END_STREAM", stream)
        elif ftype == RST_STREAM:
            say("RST_STREAM", stream, code_name(struct.unpack(">I", payload[:4])[0]))


def case_shutdown(p):
    shutdown(p, True)


def case_shutdown_no_ack(p):
    shutdown(p, False)


def case_settings_no_ack(p):
    started = time.time()
    p.send(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", frame(SETTINGS, 0, 0))
    while True:
        try:
            got = p.read_frame(started + 30)
        except (socket.timeout, OSError):
            got = None
        if got is None:
            say("CLOSED")
            return
        ftype, flags, stream, payload = got
        if ftype == GOAWAY:
            say("GOAWAY", code_name(struct.unpack(">I", payload[4:8])[0]))
            say("AFTER_MS", int((time.time() - started) * 1000))
            return


def case_settings_ack(p):
    p.send(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", frame(SETTINGS, 0, 0))
    started = time.time()
    acked = False
    pinged = False
    while True:
        try:
            got = p.read_frame(started + 30)
        except (socket.timeout, OSError):
            got = None
        if got is None:
            say("CLOSED")
            return
        ftype, flags, stream, payload = got
        if ftype == SETTINGS and not flags & ACK and not acked:
            p.send(frame(SETTINGS, ACK, 0))
            acked = True
            p.sock.settimeout(None)
            time.sleep(2.5)  # Past the server's bound (1 s in the test): nothing may come.
            p.send(frame(PING, 0, 0, b"still-ok"))
            pinged = True
        elif ftype == PING and flags & ACK and pinged:
            say("PING_ACK")
            return
        elif ftype == GOAWAY:
            say("GOAWAY", code_name(struct.unpack(">I", payload[4:8])[0]))
            return


# ---- python3-h2 ----

class Client:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=20)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.conn.initiate_connection()
        self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def events(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("server closed the connection")
        events = self.conn.receive_data(data)
        self.flush()
        return events

    def request(self, stream, method, path, extra=(), end_stream=True):
        fields = [(":method", method), (":path", path), (":scheme", "http"),
                  (":authority", "localhost")] + list(extra)
        self.conn.send_headers(stream, fields, end_stream=end_stream)
        self.flush()

    def send_body(self, stream, body, trailers=None):
        self.conn.send_data(stream, body, end_stream=trailers is None)
        if trailers is not None:
            self.conn.send_headers(stream, trailers, end_stream=True)
        self.flush()

    def exchange(self, stream, on_informational=None):
        """Prints the stream's events until it ends."""
        body = b""
        while True:
            for event in self.events():
                if getattr(event, "stream_id", stream) != stream:
                    continue
                if isinstance(event, h2.events.InformationalResponseReceived):
                    status = dict(event.headers)[b":status"].decode()
                    say("INFORMATIONAL", stream, status)
                    if on_informational:
                        on_informational()
                elif isinstance(event, h2.events.ResponseReceived):
                    say("RESPONSE", stream, dict(event.headers)[b":status"].decode())
                elif isinstance(event, h2.events.DataReceived):
                    body += event.data
                    self.conn.acknowledge_received_data(event.flow_controlled_length, stream)
                    self.flush()
                elif isinstance(event, h2.events.TrailersReceived):
                    for name, value in event.headers:
                        say("TRAILER", stream, name.decode() + ": " + value.decode())
                elif isinstance(event, h2.events.StreamReset):
                    say("RESET", stream, code_name(event.error_code))
                    return
                elif isinstance(event, h2.events.StreamEnded):
                    say("BODY", stream, body.decode(errors="replace"))
                    return


def case_trailers(host, port):
    c = Client(host, port)
    c.request(1, "GET", "/trailers", [("te", "trailers")])
    c.exchange(1)
    c.request(3, "POST", "/echo-trailers", end_stream=False)
    c.send_body(3, b"hello", [("x-checksum", "sha256:abc"), ("x-count", "5")])
    c.exchange(3)
    c.request(5, "PUT", "/stream-trailers", end_stream=False)
    c.send_body(5, b"streamed", [("x-checksum", "sha256:def")])
    c.exchange(5)


def case_continue(host, port):
    c = Client(host, port)
    for stream, method, path in ((1, "POST", "/echo"), (3, "PUT", "/stream-echo")):
        body = ("body of " + path).encode()
        c.request(stream, method, path,
                  [("expect", "100-continue"), ("content-length", str(len(body)))],
                  end_stream=False)
        # The body goes only once the server asked for it.
        c.exchange(stream, on_informational=lambda s=stream, b=body: c.send_body(s, b))
    # Refused without reading: no 100, and the body is never sent.
    c.request(5, "PUT", "/refuse", [("expect", "100-continue"), ("content-length", "1000")],
              end_stream=False)
    c.exchange(5, on_informational=lambda: say("UNEXPECTED_100"))
    c.request(7, "POST", "/echo", [("expect", "100-continue"), ("content-length", "999999999")],
              end_stream=False)
    c.exchange(7, on_informational=lambda: say("UNEXPECTED_100"))


def main():
    host, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if name in ("trailers", "continue"):
        globals()["case_" + name](host, port)
        return
    peer = Peer(host, port)
    try:
        globals()["case_" + name](peer)
    except OSError as e:
        say("CLOSED", e)


if __name__ == "__main__":
    main()
