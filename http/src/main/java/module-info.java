/**
 * HTTP/1.1 (RFC 9110/9112) over Wharf's engine: the model, a server, a client and static files.
 *
 * <p>{@code dev.wharf.http.codec} is the wire format shared by the server, the client and the
 * WebSocket opening handshake; it is exported to {@code dev.wharf.websocket} and to {@code
 * dev.wharf.cli} (whose {@code wharf trace} reads captured request and status lines with it) only,
 * so it can change with them and is not a public API.
 */
@SuppressWarnings("module") // websocket and cli are built after this module: javac cannot see them
module dev.wharf.http {
  requires transitive dev.wharf.core; // HttpServer and HttpClient take core's loops and transports

  exports dev.wharf.http;
  exports dev.wharf.http.server;
  exports dev.wharf.http.client;
  exports dev.wharf.http.files;
  exports dev.wharf.http.fields;
  exports dev.wharf.http.h2.frame to
      dev.wharf.load; // wharf bench --http2 speaks HTTP/2 with these codecs
  exports dev.wharf.http.h2.hpack to
      dev.wharf.load;
  exports dev.wharf.http.codec to
      dev.wharf.websocket,
      dev.wharf.cli; // wharf trace reads the request and status lines of captured segments
}
