/**
 * {@code wharf get}: a curl-like HTTP/1.1 client. {@link dev.wharf.cli.get.GetCommand} parses the
 * options into a request and an output; {@link dev.wharf.cli.get.Fetch} runs the attempts (retries,
 * waits, the exit code); {@link dev.wharf.cli.get.Transfer} streams one exchange, across its
 * redirects, to stdout or the {@code -o} file and tells {@code -v}; {@link
 * dev.wharf.cli.get.CurlExit} holds curl's exit codes and maps failures to them. Request bodies
 * ({@code -d}, {@code -F}, {@code -T}), {@code --compressed} decoding and {@code -w} figures are
 * here too.
 *
 * <p>Threads: the command and {@code Fetch} run on the main thread. A {@code Transfer} is the HTTP
 * client's response listener: its callbacks run on the client's event loop, and it hands its
 * outcome to the main thread through a future; the few figures the main thread reads before that
 * future completes (after a timeout) are volatile.
 */
package dev.wharf.cli.get;
