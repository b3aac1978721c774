"""A DNS client nobody in Wharf wrote: plain sockets, for DnsServerGarbageIT.

Usage: dns_garbage_peer.py PORT CASE. Prints one line saying what the server did:
  "formerr ID" (a FORMERR answer and the id in it), "answer ID RCODE", "closed SECONDS" (the
  server closed the connection, after that long), "silent" (nothing within the wait), or
  "other HEX" (anything else).
"""
import random
import socket
import struct
import sys
import time

port, case = int(sys.argv[1]), sys.argv[2]
WAIT = 5.0


def question(name, qtype=1):
    out = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l)
    return out + b"\0" + struct.pack(">HH", qtype, 1)


def query(qid, name="ns1.example.test", flags=0x0100):
    return struct.pack(">HHHHHH", qid, flags, 1, 0, 0, 0) + question(name)


def describe(reply, started):
    if not reply:
        return "closed %.2f" % (time.monotonic() - started)
    qid, flags = struct.unpack(">HH", reply[:4])
    if flags & 0x8000 and flags & 0xF == 1:
        return "formerr %d" % qid
    if flags & 0x8000:
        return "answer %d %d" % (qid, flags & 0xF)
    return "other " + reply.hex()


def tcp(payload):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(WAIT)
        s.sendall(payload)
        started = time.monotonic()
        try:
            length = s.recv(2)
            if len(length) == 1:
                length += s.recv(1)
            if not length:
                return describe(b"", started)
            (n,) = struct.unpack(">H", length)
            reply = b""
            while len(reply) < n:
                more = s.recv(n - len(reply))
                if not more:
                    return "other truncated " + reply.hex()
                reply += more
            return describe(reply, started)
        except socket.timeout:
            return "silent"
        except ConnectionResetError:
            return describe(b"", started)


def udp(payload):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1.0)
        s.sendto(payload, ("127.0.0.1", port))
        try:
            return describe(s.recv(4096), time.monotonic())
        except socket.timeout:
            return "silent"


random.seed(15)
# Twelve random octets after an id of 0x5a5a and a flags octet with QR clear: a header, then noise.
garbage = bytes([0x5A, 0x5A, random.getrandbits(7)]) + bytes(random.getrandbits(8) for _ in range(9))
# A header that promises five questions and brings none.
five_questions = struct.pack(">HHHHHH", 0x0505, 0, 5, 0, 0, 0)
# An answer (QR set) sent to the server.
response = struct.pack(">HHHHHH", 0x0707, 0x8400, 1, 0, 0, 0) + question("ns1.example.test")
cases = {
    "tcp-garbage": lambda: tcp(struct.pack(">H", 12) + garbage),
    "tcp-five-questions": lambda: tcp(struct.pack(">H", 12) + five_questions),
    "tcp-response": lambda: tcp(struct.pack(">H", len(response)) + response),
    "tcp-short-header": lambda: tcp(struct.pack(">H", 5) + b"\x01\x02\x03\x04\x05"),
    "tcp-unfinished-frame": lambda: tcp(struct.pack(">H", 300) + query(0x0303)),
    "tcp-query": lambda: tcp(struct.pack(">H", len(query(0x0101))) + query(0x0101)),
    "udp-garbage": lambda: udp(garbage),
    "udp-five-questions": lambda: udp(five_questions),
    "udp-short": lambda: udp(b"\x01\x02\x03"),
    "udp-query": lambda: udp(query(0x0202)),
}
print(cases[case](), flush=True)
