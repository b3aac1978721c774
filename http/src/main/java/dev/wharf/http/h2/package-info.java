/**
 * HTTP/2 (RFC 9113) above its frame codec: so far the pure parts the connection will use, with no
 * I/O and no clock of their own. {@link dev.wharf.http.h2.StreamStateMachine} is one stream's life
 * (§5.1) and the error each frame causes in each state; {@link dev.wharf.http.h2.StreamIds} the
 * identifier rules (§5.1.1); {@link dev.wharf.http.h2.SendWindows}, {@link
 * dev.wharf.http.h2.SendWindow} and {@link dev.wharf.http.h2.ReceiveWindow} flow control (§5.2,
 * §6.9), with the WINDOW_UPDATE policy and its auto-tuning. Each instance belongs to one connection
 * and is used on its event loop. The frames are in {@code dev.wharf.http.h2.frame}, HPACK in {@code
 * dev.wharf.http.h2.hpack}; the connection (server and client) is still to come, see {@code
 * docs/http2.md}.
 */
package dev.wharf.http.h2;
