"""A scripted HTTP/2 server (h2c by prior knowledge) for Http2ClientScriptedIT: python3-h2's
H2Connection on a plain socket, answering each request as one scenario says, and sending the
frames an honest server never would. It prints "port N" once it listens, then one line per thing
the test checks (what the client sent: GOAWAY and RST_STREAM codes, PING answers, connections).

  h2_server_script.py SCENARIO

Scenarios (each request's path is its own sub-scenario where that helps):
  goaway      answers the first request; on the second, GOAWAY with last stream 1 and no answer;
              every later connection answers everything
  refuse      refuses the first stream (REFUSED_STREAM), answers the rest
  reset       resets every stream with INTERNAL_ERROR
  trailers    answers with a body, then trailers
  frames      /data0: DATA on stream 0 (connection PROTOCOL_ERROR)
              /upper: a response field name with uppercase (stream PROTOCOL_ERROR)
              /length: content-length 3, then 5 bytes of body (stream PROTOCOL_ERROR)
              /ping: a PING first, then the answer
              /push: SETTINGS_ENABLE_PUSH 1 (connection PROTOCOL_ERROR)
              anything else: 200 "ok"
"""
import socket
import struct
import sys
import threading

import h2.config
import h2.connection
import h2.events
import h2.settings

lock = threading.Lock()
connections = 0


def say(*words):
    with lock:
        print(*words, flush=True)


def frame(type_, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([type_, flags]) + struct.pack(
        ">I", stream) + payload


def answer(conn, stream, body=b"ok", extra=()):
    conn.send_headers(stream, [(":status", "200"), ("content-length", str(len(body)))]
                      + list(extra))
    conn.send_data(stream, body, end_stream=True)


def serve(sock, scenario, number):
    config = h2.config.H2Configuration(client_side=False, validate_outbound_headers=False,
                                       normalize_outbound_headers=False,
                                       validate_inbound_headers=True)
    conn = h2.connection.H2Connection(config)
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    requests = 0
    bodies = {}
    while True:
        try:
            data = sock.recv(65536)
        except OSError:
            break
        if not data:
            break
        try:
            events = conn.receive_data(data)
        except Exception as e:  # the client broke the protocol
            say("error", type(e).__name__, e)
            break
        for event in events:
            if isinstance(event, h2.events.ConnectionTerminated):
                say("goaway", event.error_code)
            elif isinstance(event, h2.events.StreamReset):
                say("rst", event.stream_id, event.error_code)
            elif isinstance(event, h2.events.PingAckReceived):
                say("pingack", event.ping_data.hex())
            elif isinstance(event, h2.events.DataReceived):
                bodies[event.stream_id] = bodies.get(event.stream_id, 0) + len(event.data)
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.RequestReceived):
                requests += 1
                headers = dict((k.decode(), v.decode()) for k, v in event.headers)
                path = headers[":path"]
                say("request", number, event.stream_id, headers[":method"], path)
                stream = event.stream_id
                if scenario == "goaway":
                    if number == 1 and requests == 2:
                        conn.close_connection(error_code=0, last_stream_id=1)
                    else:
                        answer(conn, stream, b"answer %d" % stream)
                elif scenario == "refuse":
                    if number == 1 and requests == 1:
                        conn.reset_stream(stream, error_code=7)
                    else:
                        answer(conn, stream, b"answer %d" % stream)
                elif scenario == "reset":
                    conn.reset_stream(stream, error_code=2)
                elif scenario == "trailers":
                    conn.send_headers(stream, [(":status", "200")])
                    conn.send_data(stream, b"body")
                    conn.send_headers(stream, [("grpc-status", "0"), ("x-checksum", "abc")],
                                      end_stream=True)
                elif path == "/data0":
                    sock.sendall(conn.data_to_send() + frame(0x0, 0x1, 0, b"bad"))
                elif path == "/upper":
                    # The stream stays open, so that our RST_STREAM is seen.
                    conn.send_headers(stream, [(":status", "200"), ("X-Upper", "1")])
                elif path == "/length":
                    conn.send_headers(stream, [(":status", "200"), ("content-length", "3")])
                    conn.send_data(stream, b"12345")
                elif path == "/ping":
                    conn.ping(b"pingpong")
                    answer(conn, stream)
                elif path == "/push":
                    sock.sendall(conn.data_to_send() + frame(0x4, 0x0, 0, struct.pack(">HI", 2, 1)))
                else:
                    answer(conn, stream)
        out = conn.data_to_send()
        if out:
            sock.sendall(out)
    sock.close()


def main():
    global connections
    scenario = sys.argv[1]
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    say("port", server.getsockname()[1])
    while True:
        sock, _ = server.accept()
        connections += 1
        say("connection", connections)
        threading.Thread(target=serve, args=(sock, scenario, connections), daemon=True).start()


if __name__ == "__main__":
    main()
