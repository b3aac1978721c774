#!/usr/bin/python3
"""h2spec's test cases, rebuilt: one function per h2spec case id, raw frames on top of h2_cases.py.

Usage: h2spec_cases.py HOST PORT ID [STOP]   (ID as h2spec numbers it: generic/3.5/1,
          http2/6.9.2/2, hpack/5.2/3; STOP: a line that ends the reading; `list` prints every id)

Each case makes the moves h2spec makes (valid frames, or one rule of RFC 9113 or RFC 7541 broken)
and prints what the server answered, as h2_cases.py does; Http2SpecIT holds the expected answers.
Cases h2_cases.py already has are reused under their h2spec id. HPACK blocks that must have one
exact form (a representation, a bad index, bad Huffman padding) are packed here by hand.
"""
import struct
import sys
import time

import h2_cases as c
from h2_cases import (ACK, CONTINUATION, DATA, END_HEADERS, END_STREAM, GOAWAY, HEADERS, PADDED,
                      PING, PRIORITY, PRIORITY_FLAG, RST_STREAM, SETTINGS, WINDOW_UPDATE, frame,
                      settings)

CASES = {}


def case(*ids):
    def register(function):
        for id_ in ids:
            CASES[id_] = function
        return function
    return register


def alias(id_, name):
    CASES[id_] = getattr(c, "case_" + name)


# ---- raw HPACK (RFC 7541 §5, §6) ----

def hpack_int(value, prefix_bits, flags=0):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([flags | value])
    out = [flags | limit]
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_str(text, huffman=False):
    raw = text.encode()
    if huffman:
        raw = c.hpack.Encoder().huffman_coder.encode(raw)
    return hpack_int(len(raw), 7, 0x80 if huffman else 0) + raw


def indexed(index):
    return hpack_int(index, 7, 0x80)


def literal(kind, name, value, huffman=False):
    """kind: 'incremental' (§6.2.1), 'without' (§6.2.2) or 'never' (§6.2.3) indexing; name is a
    static table index or a new name."""
    prefix, flags = {"incremental": (6, 0x40), "without": (4, 0x00), "never": (4, 0x10)}[kind]
    if isinstance(name, int):
        head = hpack_int(name, prefix, flags)
    else:
        head = hpack_int(0, prefix, flags) + hpack_str(name, huffman)
    return head + hpack_str(value, huffman)


def size_update(size):
    return hpack_int(size, 5, 0x20)


# The base request GET /hello, http, authority x, in static-table references and one literal.
REQUEST_BLOCK = indexed(2) + indexed(6) + literal("without", 4, "/hello") + literal("without", 1, "x")


def send_block(p, block, stream=1):
    p.start()
    p.send(frame(HEADERS, END_HEADERS | END_STREAM, stream, block))


def await_frame(p, wanted_type, stream, seconds=10):
    """Reads (without printing) up to the first frame of that type on that stream."""
    deadline = time.time() + seconds
    while True:
        got = p.read_frame(deadline)
        if got is None:
            raise OSError("closed while waiting for frame type %d" % wanted_type)
        ftype, flags, sid, payload = got
        if ftype == wanted_type and sid == stream:
            return flags, payload


def await_response_end(p, stream):
    while True:
        flags, _ = await_frame(p, DATA, stream)
        if flags & END_STREAM:
            return


def await_settings_ack(p):
    while True:
        flags, _ = await_frame(p, SETTINGS, 0)
        if flags & ACK:
            return


def padded(payload, pad_length, declared=None):
    declared = pad_length if declared is None else declared
    return bytes([declared]) + payload + b"\x00" * pad_length


# ---- generic: valid frames of every kind are accepted ----

@case("generic/1/1", "generic/3.7/1", "http2/3.5/1", "http2/6.7/1")
def connection_preface(p):
    p.start()


@case("generic/2/1")
def priority_idle(p):
    p.start()
    p.send(frame(PRIORITY, 0, 1, struct.pack(">IB", 0, 16)))


def half_closed_remote_then(*frames):
    def run(p):
        p.start()
        p.send(p.request(1, "/slow"), *frames)
    return run


CASES["generic/2/2"] = half_closed_remote_then(frame(WINDOW_UPDATE, 0, 1, struct.pack(">I", 1)))
CASES["generic/2/3"] = half_closed_remote_then(frame(PRIORITY, 0, 1, struct.pack(">IB", 0, 16)))
CASES["generic/2/4"] = half_closed_remote_then(frame(RST_STREAM, 0, 1, struct.pack(">I", 8)))


@case("generic/2/5")
def priority_closed(p):
    p.start()
    p.send(p.request(1, "/hello"))
    await_response_end(p, 1)
    p.send(frame(PRIORITY, 0, 1, struct.pack(">IB", 0, 16)))


def post(p, *data_frames, extra=()):
    p.start()
    p.send(p.request(1, "/echo", "POST", end_stream=False, extra=extra), *data_frames)


@case("generic/3.1/1", "generic/4/3")
def data_frame(p):
    post(p, frame(DATA, END_STREAM, 1, b"test"))


@case("generic/3.1/2")
def data_frames(p):
    post(p, frame(DATA, 0, 1, b"test"), frame(DATA, END_STREAM, 1, b"test"))


@case("generic/3.1/3")
def data_padded(p):
    post(p, frame(DATA, END_STREAM | PADDED, 1, padded(b"test", 8)))


@case("generic/3.2/1", "generic/4/1")
def headers_frame(p):
    p.start()
    p.send(p.request(1, "/hello"))


@case("generic/3.2/2")
def headers_padded(p):
    send_block_padded = padded(REQUEST_BLOCK, 8)
    p.start()
    p.send(frame(HEADERS, END_HEADERS | END_STREAM | PADDED, 1, send_block_padded))


@case("generic/3.2/3")
def headers_priority(p):
    p.start()
    p.send(frame(HEADERS, END_HEADERS | END_STREAM | PRIORITY_FLAG, 1,
                 struct.pack(">IB", 0, 255) + REQUEST_BLOCK))


def priority(dependency, weight, exclusive=False):
    def run(p):
        p.start()
        p.send(p.request(1, "/slow"), frame(PRIORITY, 0, 1, struct.pack(
            ">IB", dependency | (0x80000000 if exclusive else 0), weight - 1)))
    return run


CASES["generic/3.3/1"] = priority(0, 1)
CASES["generic/3.3/2"] = priority(0, 256)
CASES["generic/3.3/3"] = priority(3, 16)
CASES["generic/3.3/4"] = priority(3, 16, exclusive=True)


@case("generic/3.3/5")
def priority_idle_then_lower_headers(p):
    p.start()
    p.send(frame(PRIORITY, 0, 3, struct.pack(">IB", 0, 16)), p.request(1, "/hello"))


@case("generic/3.4/1")
def rst_stream(p):
    p.start()
    p.send(p.request(1, "/slow"), frame(RST_STREAM, 0, 1, struct.pack(">I", 8)))


@case("generic/3.5/1", "http2/6.5.3/2")
def settings_frame(p):
    p.start()
    p.send(settings(max_concurrent_streams=100))


def goaway_with_stream_open(code):
    # With a stream still open the connection stays up after the client's GOAWAY (§6.8), so the
    # marker PING shows that the frame changed nothing else.
    def run(p):
        p.start()
        p.send(p.request(1, "/slow"), frame(GOAWAY, 0, 0, struct.pack(">II", 0, code)))
    return run


CASES["generic/3.8/1"] = goaway_with_stream_open(0)


@case("generic/3.9/1")
def window_update_connection(p):
    p.start()
    p.send(frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 1)))


CASES["generic/3.9/2"] = half_closed_remote_then(frame(WINDOW_UPDATE, 0, 1, struct.pack(">I", 1)))


@case("generic/3.10/1")
def continuation(p):
    p.start()
    p.send(frame(HEADERS, END_STREAM, 1, REQUEST_BLOCK[:2]),
           frame(CONTINUATION, END_HEADERS, 1, REQUEST_BLOCK[2:]))


alias("generic/3.10/2", "continuation_split_ok")


@case("generic/4/2")
def head_request(p):
    p.start()
    p.send(p.request(1, "/hello", "HEAD"))


alias("generic/4/4", "post_with_trailers_ok")


def representation(kind, new_name, huffman):
    def run(p):
        name = "x-test" if new_name else 58  # 58: user-agent
        send_block(p, REQUEST_BLOCK + literal(kind, name, "wharf", huffman))
    return run


CASES["generic/5/1"] = lambda p: send_block(p, REQUEST_BLOCK + indexed(19))  # accept: */*
_number = 2
for _kind in ("incremental", "without", "never"):
    for _new in (False, True):
        for _huffman in (False, True):
            CASES["generic/5/%d" % _number] = representation(_kind, _new, _huffman)
            _number += 1
CASES["generic/5/14"] = lambda p: send_block(p, size_update(0) + REQUEST_BLOCK)
CASES["generic/5/15"] = lambda p: send_block(p, size_update(0) + size_update(4096) + REQUEST_BLOCK)


# ---- http2: §3.5 to §8.2 ----

alias("http2/3.5/2", "preface_invalid")
alias("http2/4.1/1", "unknown_frame_ignored")


@case("http2/4.1/2")
def undefined_flag(p):
    p.start()
    p.send(frame(PING, 0x16, 0, b"\x00" * 8))


@case("http2/4.1/3")
def reserved_bit(p):
    p.start()
    p.send(frame(HEADERS, END_HEADERS | END_STREAM, 0x80000001, REQUEST_BLOCK))


@case("http2/4.2/1")
def data_max_frame_size(p):
    post(p, frame(DATA, END_STREAM, 1, b"x" * 16384))


alias("http2/4.2/2", "frame_too_large")


@case("http2/4.2/3")
def headers_too_large(p):
    p.start()
    p.send(frame(HEADERS, END_HEADERS | END_STREAM, 1,
                 REQUEST_BLOCK + literal("without", "x-big", "x" * 16384)))


@case("http2/4.3/1")
def invalid_block_fragment(p):
    send_block(p, REQUEST_BLOCK + b"\x40\x85abc")  # Name of 5 octets, cut after 3.


def headers_then(*frames):
    def run(p):
        p.start()
        p.send(frame(HEADERS, END_STREAM, 1, REQUEST_BLOCK), *frames)
    return run


CASES["http2/4.3/2"] = headers_then(frame(PRIORITY, 0, 1, struct.pack(">IB", 0, 16)))
CASES["http2/4.3/3"] = headers_then(frame(HEADERS, END_HEADERS | END_STREAM, 3, REQUEST_BLOCK))
CASES["http2/6.2/1"] = CASES["http2/4.3/2"]
CASES["http2/6.2/2"] = CASES["http2/4.3/3"]
CASES["http2/5.5/2"] = headers_then(frame(0x42, 0, 1, b"whatever"))
CASES["http2/6.10/2"] = lambda p: headers_then(
    frame(CONTINUATION, 0, 1, b""), frame(DATA, 0, 1, b"x"))(p)

alias("http2/5.1/1", "data_on_idle_stream")
alias("http2/5.1/2", "rst_stream_idle")
alias("http2/5.1/3", "window_update_idle_stream")
alias("http2/5.1/4", "continuation_alone")
alias("http2/5.1/5", "data_after_end_stream")
alias("http2/6.1/2", "data_after_end_stream")


@case("http2/5.1/6")
def half_closed_remote_headers(p):
    p.start()
    p.send(p.request(1, "/slow"), p.request(1, "/slow"))


@case("http2/5.1/7")
def half_closed_remote_continuation(p):
    p.start()
    p.send(p.request(1, "/slow"), frame(CONTINUATION, END_HEADERS, 1, REQUEST_BLOCK))


def after_client_reset(make_frame):
    def run(p):
        p.start()
        p.send(p.request(1, "/echo", "POST", end_stream=False),
               frame(RST_STREAM, 0, 1, struct.pack(">I", 8)))
        p.send(make_frame(p))  # Made after the first block: HPACK's table follows the order.
    return run


CASES["http2/5.1/8"] = after_client_reset(lambda p: frame(DATA, 0, 1, b"x"))
CASES["http2/5.1/9"] = after_client_reset(lambda p: p.request(1, "/hello"))
CASES["http2/5.1/10"] = after_client_reset(
    lambda p: frame(CONTINUATION, END_HEADERS, 1, REQUEST_BLOCK))


def after_close(make_frame):
    def run(p):
        p.start()
        p.send(p.request(1, "/hello"))
        await_response_end(p, 1)
        p.send(make_frame(p))
    return run


CASES["http2/5.1/11"] = after_close(lambda p: frame(DATA, 0, 1, b"x"))
CASES["http2/5.1/12"] = after_close(lambda p: p.request(1, "/hello"))
CASES["http2/5.1/13"] = after_close(lambda p: frame(CONTINUATION, END_HEADERS, 1, REQUEST_BLOCK))

alias("http2/5.1.1/1", "headers_even_stream")
alias("http2/5.1.1/2", "headers_decreasing_stream")
alias("http2/5.1.2/1", "too_many_streams")


@case("http2/5.3.1/1")
def headers_depends_on_itself(p):
    p.start()
    p.send(frame(HEADERS, END_HEADERS | END_STREAM | PRIORITY_FLAG, 1,
                 struct.pack(">IB", 1, 15) + REQUEST_BLOCK))


alias("http2/5.3.1/2", "priority_self_dependency")


@case("http2/5.4.1/1")
def invalid_ping_closes(p):
    p.start()
    p.send(frame(PING, 0, 0, b"1234567"))
    p.until_closed = True
    p.marker = False


alias("http2/5.4.1/2", "ping_bad_length")
alias("http2/5.5/1", "unknown_frame_ignored")
alias("http2/6.1/1", "data_on_stream_0")


@case("http2/6.1/3")
def data_bad_padding(p):
    post(p, frame(DATA, END_STREAM | PADDED, 1, padded(b"test", 0, declared=6)))


alias("http2/6.2/3", "headers_on_stream_0")


@case("http2/6.2/4")
def headers_bad_padding(p):
    p.start()
    p.send(frame(HEADERS, END_HEADERS | END_STREAM | PADDED, 1,
                 bytes([len(REQUEST_BLOCK) + 1]) + REQUEST_BLOCK))


@case("http2/6.3/1")
def priority_on_stream_0(p):
    p.start()
    p.send(frame(PRIORITY, 0, 0, struct.pack(">IB", 0, 16)))


alias("http2/6.3/2", "priority_bad_length")
alias("http2/6.4/1", "rst_stream_on_stream_0")
alias("http2/6.4/2", "rst_stream_idle")
alias("http2/6.4/3", "rst_stream_bad_length")
alias("http2/6.5/1", "settings_ack_with_payload")
alias("http2/6.5/2", "settings_on_stream")
alias("http2/6.5/3", "settings_bad_length")
alias("http2/6.5.2/1", "settings_enable_push_2")
alias("http2/6.5.2/2", "settings_window_too_large")
alias("http2/6.5.2/3", "settings_frame_size_too_small")


@case("http2/6.5.2/4")
def settings_frame_size_too_large(p):
    p.start()
    p.send(settings(max_frame_size=1 << 24))


alias("http2/6.5.2/5", "settings_unknown_ignored")


@case("http2/6.5.3/1")
def settings_in_order(p):
    p.start()
    p.send(frame(SETTINGS, 0, 0, struct.pack(">HIHI", 4, 100, 4, 1)))
    await_settings_ack(p)
    p.send(p.request(1, "/hello"))
    p.marker = False


@case("http2/6.7/2")
def ping_ack_not_answered(p):
    p.start()
    p.send(frame(PING, ACK, 0, b"unexpect"))


alias("http2/6.7/3", "ping_on_stream")
alias("http2/6.7/4", "ping_bad_length")
alias("http2/6.8/1", "goaway_on_stream")
alias("http2/6.9/1", "window_update_zero_connection")
alias("http2/6.9/2", "window_update_zero_stream")
alias("http2/6.9/3", "window_update_bad_length")


@case("http2/6.9.1/1")
def initial_window_of_one(p):
    p.start()
    p.send(settings(initial_window_size=1))
    await_settings_ack(p)
    p.send(p.request(1, "/hello"))
    p.marker = False


@case("http2/6.9.1/2")
def connection_window_overflow_in_steps(p):
    p.start()
    p.send(frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 0x40000000)),
           frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 0x40000000)))


@case("http2/6.9.1/3")
def stream_window_overflow_in_steps(p):
    p.start()
    p.send(p.request(1, "/slow"), frame(WINDOW_UPDATE, 0, 1, struct.pack(">I", 0x40000000)),
           frame(WINDOW_UPDATE, 0, 1, struct.pack(">I", 0x40000000)))


@case("http2/6.9.2/1")
def window_opened_by_settings(p):
    p.start()
    p.send(settings(initial_window_size=0))
    await_settings_ack(p)
    p.send(p.request(1, "/hello"))
    await_frame(p, HEADERS, 1)
    p.send(settings(initial_window_size=1))
    p.marker = False


@case("http2/6.9.2/2")
def negative_window(p):
    p.start()
    p.send(settings(initial_window_size=3))
    await_settings_ack(p)
    p.send(p.request(1, "/hello"))
    _, payload = await_frame(p, DATA, 1)
    print("DATA 1", len(payload))
    p.send(settings(initial_window_size=2))  # The window is now 2 - 3 = -1.
    await_settings_ack(p)
    p.send(frame(WINDOW_UPDATE, 0, 1, struct.pack(">I", 2)))  # -1 + 2 = 1.
    p.marker = False


alias("http2/6.9.2/3", "settings_window_too_large")
alias("http2/6.10/1", "continuation_split_ok")


@case("http2/6.10/3")
def continuation_on_stream_0(p):
    p.start()
    p.send(frame(HEADERS, END_STREAM, 1, REQUEST_BLOCK[:2]),
           frame(CONTINUATION, END_HEADERS, 0, REQUEST_BLOCK[2:]))


@case("http2/6.10/4")
def continuation_after_end_headers(p):
    p.start()
    p.send(p.request(1, "/slow"), frame(CONTINUATION, END_HEADERS, 1, REQUEST_BLOCK))


@case("http2/6.10/5")
def continuation_after_ended_continuation(p):
    p.start()
    p.send(frame(HEADERS, END_STREAM, 1, REQUEST_BLOCK[:2]),
           frame(CONTINUATION, END_HEADERS, 1, REQUEST_BLOCK[2:]),
           frame(CONTINUATION, END_HEADERS, 1, REQUEST_BLOCK))


@case("http2/6.10/6")
def continuation_after_data(p):
    post(p, frame(DATA, 0, 1, b"x"), frame(CONTINUATION, END_HEADERS, 1, REQUEST_BLOCK))


CASES["http2/7/1"] = goaway_with_stream_open(0xFF)


@case("http2/7/2")
def rst_stream_unknown_code(p):
    p.start()
    p.send(p.request(1, "/slow"), frame(RST_STREAM, 0, 1, struct.pack(">I", 0xFF)))


@case("http2/8.1/1")
def second_headers_without_end_stream(p):
    post(p, frame(DATA, 0, 1, b"x"),
         frame(HEADERS, END_HEADERS, 1, literal("without", "x-trailer", "1")))


alias("http2/8.1.2/1", "uppercase_name")
CASES["http2/8.1.2.1/1"] = c.bad_request(c.BASE + [(":test", "1")])
alias("http2/8.1.2.1/2", "unknown_pseudo")
alias("http2/8.1.2.1/3", "trailers_with_pseudo")
alias("http2/8.1.2.1/4", "pseudo_after_regular")
alias("http2/8.1.2.2/1", "connection_header")
alias("http2/8.1.2.2/2", "te_gzip")
alias("http2/8.1.2.3/1", "empty_path")
alias("http2/8.1.2.3/2", "missing_method")
CASES["http2/8.1.2.3/3"] = c.bad_request([c.BASE[0], c.BASE[2], c.BASE[3]])
alias("http2/8.1.2.3/4", "missing_path")
CASES["http2/8.1.2.3/5"] = c.bad_request(c.BASE + [(":method", "POST")])
CASES["http2/8.1.2.3/6"] = c.bad_request(c.BASE + [(":scheme", "https")])
alias("http2/8.1.2.3/7", "duplicate_path")
alias("http2/8.1.2.6/1", "content_length_mismatch")


@case("http2/8.1.2.6/2")
def content_length_mismatch_over_frames(p):
    post(p, frame(DATA, 0, 1, b"123"), frame(DATA, END_STREAM, 1, b"45"),
         extra=[("content-length", "10")])


alias("http2/8.2/1", "push_promise")


# ---- hpack: RFC 7541 ----

CASES["hpack/2.3.3/1"] = lambda p: send_block(p, REQUEST_BLOCK + indexed(70))
CASES["hpack/2.3.3/2"] = lambda p: send_block(p, REQUEST_BLOCK + literal("incremental", 70, "x"))
CASES["hpack/4.2/1"] = lambda p: send_block(p, REQUEST_BLOCK + size_update(0))
# 'a' is 00011 in Huffman code (RFC 7541 Appendix B); EOS is thirty 1 bits.
HUFFMAN_A_LONG_PADDING = b"\x1f\xff"   # 'a', then 11 bits of padding
HUFFMAN_A_ZERO_PADDING = b"\x18"       # 'a', then 000
HUFFMAN_A_EOS = b"\x1f\xff\xff\xff\xff"  # 'a', EOS, then 11 bits of padding


def huffman_value(encoded):
    return lambda p: send_block(p, REQUEST_BLOCK + hpack_int(58, 4) + hpack_int(len(encoded), 7, 0x80)
                                + encoded)


CASES["hpack/5.2/1"] = huffman_value(HUFFMAN_A_LONG_PADDING)
CASES["hpack/5.2/2"] = huffman_value(HUFFMAN_A_ZERO_PADDING)
CASES["hpack/5.2/3"] = huffman_value(HUFFMAN_A_EOS)
CASES["hpack/6.1/1"] = lambda p: send_block(p, REQUEST_BLOCK + indexed(0))
CASES["hpack/6.3/1"] = lambda p: send_block(p, size_update(4097) + REQUEST_BLOCK)


def main():
    if sys.argv[1:] == ["list"]:
        print("\n".join(CASES))
        return
    host, port, id_ = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    peer = c.Peer(host, port)
    peer.stop_at = sys.argv[4] if len(sys.argv) > 4 else None
    try:
        CASES[id_](peer)
    except OSError as e:
        print("CLOSED", e)
        return
    peer.outcome(marker=peer.marker)


if __name__ == "__main__":
    main()
