/**
 * The port scanner behind {@code wharf scan}: an unprivileged TCP connect scan on Wharf's engine
 * ({@link dev.wharf.core.Client}'s non-blocking connects on event loops), the port lists it takes
 * (lists, ranges, nmap's most common ports) and the service names it prints.
 *
 * <p>Threads: {@link dev.wharf.scan.TcpScanner#scan} runs on the caller's thread, which paces the
 * connects (concurrency and rate) and waits for them; each probe then lives on one event loop, and
 * its result is recorded there. {@link dev.wharf.scan.PortList} and {@link dev.wharf.scan.Services}
 * are immutable and thread-safe.
 */
package dev.wharf.scan;
