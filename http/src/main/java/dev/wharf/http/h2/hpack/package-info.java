/**
 * HPACK (RFC 7541), the header compression of HTTP/2: {@link dev.wharf.http.h2.hpack.HpackDecoder}
 * turns a complete header block into fields for a {@link dev.wharf.http.h2.hpack.HeaderSink},
 * {@link dev.wharf.http.h2.hpack.HpackEncoder} turns a header list into a block, each with its
 * dynamic table, its Huffman coding and its size limits. A codec: no I/O, no threads, no clock; it
 * imports only the JDK.
 *
 * <p>Threads: a decoder or an encoder belongs to one HTTP/2 connection and is used on that
 * connection's event loop only, one block at a time, in the order the blocks go on the wire. The
 * static and Huffman tables are constant and shared.
 *
 * <p>HPACK does not know HTTP: it checks no name or value (RFC 9113 §8.2 is the connection's job,
 * in its {@link dev.wharf.http.h2.hpack.HeaderSink}). The package is not exported; the HTTP/2
 * connection of this module uses it.
 */
package dev.wharf.http.h2.hpack;
