/**
 * Listing the machine's sockets: {@link dev.wharf.inspect.Sockets#list} takes a {@link
 * dev.wharf.inspect.SocketQuery} and answers a {@link dev.wharf.inspect.SocketListing} of {@link
 * dev.wharf.inspect.SocketEntry} records, each with its {@link dev.wharf.inspect.SocketKind},
 * {@link dev.wharf.inspect.SocketState}, endpoints, queues, timer, TCP details and owners.
 */
package dev.wharf.inspect;
