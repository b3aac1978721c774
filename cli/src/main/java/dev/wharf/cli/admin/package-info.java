/**
 * {@code wharf serve --admin}: the admin listener beside the served one. A live dashboard of the
 * server's sockets (its listeners and every connection, pushed over a WebSocket as they open and
 * close), charts of connections, requests and bytes per second (uPlot, served from its WebJar), the
 * channels with their members and publication rates, Prometheus metrics at {@code /metrics}
 * (written by the Prometheus Java client) and a JSON snapshot at {@code /api/sockets}.
 *
 * <p>An application-layer package of the cli: it only reads what the layers below already know
 * (core's {@code SocketRegistry}, the HTTP server's access log, the channels' activity) and serves
 * it with the HTTP and WebSocket modules, on an event loop group of its own so that watching never
 * slows down or shows up among the sockets watched.
 *
 * <p>Threads: everything the dashboard holds ({@link dev.wharf.cli.admin.LiveTable}, the open
 * dashboards, the timeline) is confined to the admin group's single loop; the served loops hand it
 * their open and close events with {@code execute}. See docs/CONCURRENCY.md.
 */
package dev.wharf.cli.admin;
