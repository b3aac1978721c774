"""The Python peer of HyperframeInteropTest: hyperframe (python3-hyperframe) makes and reads the
frames of FrameSpecs' one-line descriptions.

  h2_frames.py serialize CHUNK < specs   one line of hex per spec; field blocks longer than
                                         CHUNK bytes continue in CONTINUATION frames
  h2_frames.py parse < hex               one spec per line of hex (HEADERS and its CONTINUATION
                                         frames read back as one spec)
"""
import sys

from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame,
                              PingFrame, PriorityFrame, RstStreamFrame, SettingsFrame,
                              WindowUpdateFrame)


def raw(text):
    return b"" if text == "-" else bytes.fromhex(text)


def hexed(data):
    return "-" if not data else data.hex()


def serialize(spec, chunk):
    f = spec.split(" ")
    kind = f[0]
    if kind == "DATA":
        frame = DataFrame(int(f[1]), data=raw(f[4]))
        if f[2] == "1":
            frame.flags.add("END_STREAM")
        if int(f[3]) >= 0:
            frame.flags.add("PADDED")
            frame.pad_length = int(f[3])
        return frame.serialize()
    if kind == "HEADERS":
        stream, block = int(f[1]), raw(f[7])
        first = HeadersFrame(stream, data=block[:chunk])
        if f[2] == "1":
            first.flags.add("END_STREAM")
        if int(f[3]) >= 0:
            first.flags.add("PADDED")
            first.pad_length = int(f[3])
        if int(f[4]) >= 0:
            first.flags.add("PRIORITY")
            first.depends_on = int(f[4])
            first.exclusive = f[5] == "1"
            first.stream_weight = int(f[6]) - 1
        frames = [first]
        for at in range(chunk, len(block), chunk):
            frames.append(ContinuationFrame(stream, data=block[at:at + chunk]))
        frames[-1].flags.add("END_HEADERS")
        return b"".join(frame.serialize() for frame in frames)
    if kind == "PRIORITY":
        return PriorityFrame(int(f[1]), depends_on=int(f[2]), exclusive=f[3] == "1",
                             stream_weight=int(f[4]) - 1).serialize()
    if kind == "RST_STREAM":
        return RstStreamFrame(int(f[1]), error_code=int(f[2])).serialize()
    if kind == "SETTINGS":
        if f[1] == "1":
            return SettingsFrame(0, flags=["ACK"]).serialize()
        params = {}
        if f[2] != "-":
            for param in f[2].split(","):
                key, value = param.split("=")
                params[int(key)] = int(value)
        return SettingsFrame(0, settings=params).serialize()
    if kind == "PING":
        return PingFrame(0, opaque_data=bytes.fromhex(f[2]),
                         flags=["ACK"] if f[1] == "1" else []).serialize()
    if kind == "GOAWAY":
        return GoAwayFrame(0, last_stream_id=int(f[1]), error_code=int(f[2]),
                           additional_data=raw(f[3])).serialize()
    if kind == "WINDOW_UPDATE":
        return WindowUpdateFrame(int(f[1]), window_increment=int(f[2])).serialize()
    raise ValueError(spec)


def frames(data):
    view = memoryview(data)
    at = 0
    while at < len(data):
        frame, length = Frame.parse_frame_header(view[at:at + 9])
        frame.parse_body(view[at + 9:at + 9 + length])
        at += 9 + length
        yield frame


def bit(flag, frame):
    return "1" if flag in frame.flags else "0"


def describe(frame, block):
    if isinstance(frame, DataFrame):
        pad = frame.pad_length if "PADDED" in frame.flags else -1
        return "DATA %d %s %d %s" % (frame.stream_id, bit("END_STREAM", frame), pad,
                                    hexed(frame.data))
    if isinstance(frame, HeadersFrame):
        pad = frame.pad_length if "PADDED" in frame.flags else -1
        if "PRIORITY" in frame.flags:
            priority = "%d %d %d" % (frame.depends_on, frame.exclusive, frame.stream_weight + 1)
        else:
            priority = "-1 0 16"
        return "HEADERS %d %s %d %s %s" % (frame.stream_id, bit("END_STREAM", frame), pad,
                                          priority, hexed(block))
    if isinstance(frame, PriorityFrame):
        return "PRIORITY %d %d %d %d" % (frame.stream_id, frame.depends_on, frame.exclusive,
                                        frame.stream_weight + 1)
    if isinstance(frame, RstStreamFrame):
        return "RST_STREAM %d %d" % (frame.stream_id, frame.error_code)
    if isinstance(frame, SettingsFrame):
        if "ACK" in frame.flags:
            return "SETTINGS 1 -"
        params = ",".join("%d=%d" % kv for kv in sorted(frame.settings.items()))
        return "SETTINGS 0 " + (params or "-")
    if isinstance(frame, PingFrame):
        return "PING %s %s" % (bit("ACK", frame), frame.opaque_data.hex())
    if isinstance(frame, GoAwayFrame):
        return "GOAWAY %d %d %s" % (frame.last_stream_id, frame.error_code,
                                    hexed(frame.additional_data))
    if isinstance(frame, WindowUpdateFrame):
        return "WINDOW_UPDATE %d %d" % (frame.stream_id, frame.window_increment)
    raise ValueError(repr(frame))


def parse(line):
    specs = []
    open_headers, block = None, b""
    for frame in frames(bytes.fromhex(line)):
        if isinstance(frame, ContinuationFrame):
            if open_headers is None or frame.stream_id != open_headers.stream_id:
                raise ValueError("CONTINUATION without HEADERS")
            block += frame.data
            if "END_HEADERS" in frame.flags:
                specs.append(describe(open_headers, block))
                open_headers = None
        elif open_headers is not None:
            raise ValueError("frame inside a field block")
        elif isinstance(frame, HeadersFrame) and "END_HEADERS" not in frame.flags:
            open_headers, block = frame, frame.data
        else:
            specs.append(describe(frame, frame.data if isinstance(frame, HeadersFrame) else b""))
    if open_headers is not None:
        raise ValueError("field block never ended")
    return " | ".join(specs)


def main():
    mode = sys.argv[1]
    for line in sys.stdin:
        line = line.strip()
        if mode == "serialize":
            print(serialize(line, int(sys.argv[2])).hex())
        else:
            print(parse(line))


if __name__ == "__main__":
    main()
