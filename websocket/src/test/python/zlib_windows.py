#!/usr/bin/python3
"""Python's zlib (the system zlib) on the other side of permessage-deflate with a small window.

  zlib_windows.py inflate BITS CONTEXT   each stdin line: a compressed message (hex); prints what
                                         it inflates to (hex), or "ERROR <why>"
  zlib_windows.py deflate BITS CONTEXT   each stdin line: a message (hex); prints it compressed
                                         (hex) as RFC 7692 §7.2.1 sends it

CONTEXT is "takeover" (one stream for all messages) or "fresh" (a new one per message). Inflating
hands out at most 16 bytes per call: zlib checks a match's distance against its window plus what
the same call already wrote, so small calls make it refuse any distance past 2^BITS (+16).
"""

import sys
import zlib

TAIL = b"\x00\x00\xff\xff"


def inflate(bits, takeover):
    d = zlib.decompressobj(-bits)
    for line in sys.stdin:
        if not takeover:
            d = zlib.decompressobj(-bits)
        data = bytes.fromhex(line.strip()) + TAIL
        out = bytearray()
        try:
            while data:
                out += d.decompress(data, 16)
                data = d.unconsumed_tail
        except zlib.error as e:
            print("ERROR %s" % e, flush=True)
            continue
        print(out.hex(), flush=True)


def deflate(bits, takeover):
    c = zlib.compressobj(6, zlib.DEFLATED, -bits)
    for line in sys.stdin:
        if not takeover:
            c = zlib.compressobj(6, zlib.DEFLATED, -bits)
        out = c.compress(bytes.fromhex(line.strip())) + c.flush(zlib.Z_SYNC_FLUSH)
        assert out.endswith(TAIL)
        print(out[:-4].hex(), flush=True)


if __name__ == "__main__":
    mode, bits, context = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    (inflate if mode == "inflate" else deflate)(bits, context == "takeover")
