/**
 * The syntax of HTTP field values (RFC 9110 §5.5 and §5.6), in one place: {@link
 * dev.wharf.http.fields.Tokens} says what a token is, {@link dev.wharf.http.fields.FieldValues}
 * splits lists and reads parameters and quoted-strings. Every module that reads a header value (the
 * model's {@code Headers}, the codec, the server's files and CORS, the WebSocket handshake, the
 * CLI) parses it here, so a quoted comma or an escaped quote means the same everywhere.
 *
 * <p>Imports nothing else of Wharf, so the model and the codec can both use it. Stateless; any
 * thread.
 */
package dev.wharf.http.fields;
