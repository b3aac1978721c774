/**
 * The HTTP model shared by the server ({@link dev.wharf.http.server}), the client ({@link
 * dev.wharf.http.client}) and the codec ({@link dev.wharf.http.codec}): {@link
 * dev.wharf.http.Headers}, {@link dev.wharf.http.HttpStatus}, {@link dev.wharf.http.MediaTypes},
 * the message heads ({@link dev.wharf.http.RequestHead}, {@link dev.wharf.http.ResponseHead}), the
 * protocol limits ({@link dev.wharf.http.HttpLimits}) and {@link dev.wharf.http.HttpException}. It
 * depends on no other HTTP package.
 *
 * <p>Threads: every type here is immutable (or a builder used by one thread) and may be used from
 * any thread.
 */
package dev.wharf.http;
