"""The Python peer of H2PeerTest: python3-h2's H2Connection, a complete HTTP/2 endpoint, talks to
our frame codec.

  h2_peer.py client          prints, as hex, what an h2 client sends for a POST with a long
                             header (HEADERS + CONTINUATION), padded DATA, a PING, a connection
                             WINDOW_UPDATE, a reset stream and a GOAWAY
  h2_peer.py server < hex    feeds the bytes (a client preface and frames) to an h2 server and
                             prints one line per event it reports
"""
import sys

import h2.config
import h2.connection
import h2.events


def client():
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    conn.send_headers(1, [(":method", "POST"), (":path", "/upload"), (":scheme", "http"),
                          (":authority", "localhost"), ("x-big", "~" * 20000)])
    conn.send_data(1, b"hello")
    conn.send_data(1, b"padded", pad_length=7)
    conn.end_stream(1)
    conn.ping(b"12345678")
    conn.increment_flow_control_window(1000)
    conn.send_headers(3, [(":method", "GET"), (":path", "/"), (":scheme", "http"),
                          (":authority", "localhost")])
    conn.reset_stream(3, error_code=8)
    conn.close_connection(error_code=0, additional_data=b"bye", last_stream_id=0)
    print(conn.data_to_send().hex())


def server():
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
    conn.initiate_connection()
    for event in conn.receive_data(bytes.fromhex(sys.stdin.read().strip())):
        name = type(event).__name__
        if isinstance(event, h2.events.RemoteSettingsChanged):
            changed = ",".join("%d=%d" % (int(k), v.new_value)
                               for k, v in sorted(event.changed_settings.items()))
            print(name, changed)
        elif isinstance(event, h2.events.RequestReceived):
            fields = " ".join("%s=%s" % (k.decode(), v.decode() if len(v) < 100 else
                                         "%d*%s" % (len(v), v[:1].decode()))
                              for k, v in event.headers)
            print(name, event.stream_id, fields)
        elif isinstance(event, h2.events.PriorityUpdated):
            print(name, event.stream_id, event.depends_on, event.weight, event.exclusive)
        elif isinstance(event, h2.events.DataReceived):
            print(name, event.stream_id, event.data.decode(), event.flow_controlled_length)
        elif isinstance(event, h2.events.StreamEnded):
            print(name, event.stream_id)
        elif isinstance(event, h2.events.PingReceived):
            print(name, event.ping_data.hex())
        elif isinstance(event, h2.events.WindowUpdated):
            print(name, event.stream_id, event.delta)
        elif isinstance(event, h2.events.ConnectionTerminated):
            print(name, event.error_code, event.last_stream_id, event.additional_data.decode())
        else:
            print(name)


if __name__ == "__main__":
    client() if sys.argv[1] == "client" else server()
