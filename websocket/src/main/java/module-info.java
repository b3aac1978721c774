/**
 * WebSocket (RFC 6455) with permessage-deflate (RFC 7692): the wire format ({@code
 * dev.wharf.websocket.codec}), the server upgrade and the client, over Wharf's engine and HTTP.
 *
 * <p>The deflater calls the system zlib through the foreign-function API: a launcher grants it with
 * {@code --enable-native-access=dev.wharf.websocket} (or {@code ALL-UNNAMED} on the class path).
 */
module dev.wharf.websocket {
  requires transitive dev.wharf.http; // WebSocketServer upgrades dev.wharf.http.server requests

  exports dev.wharf.websocket;
  exports dev.wharf.websocket.codec;
}
