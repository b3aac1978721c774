/**
 * The port scanner behind {@code wharf scan}: an unprivileged TCP connect scan on Wharf's engine
 * ({@link dev.wharf.core.Client}'s non-blocking connects on event loops), an unprivileged UDP scan
 * ({@link dev.wharf.scan.UdpScanner}: a connected {@link dev.wharf.core.DatagramEndpoint} per port,
 * which hears ICMP port unreachable), the port lists they take (lists, ranges, nmap's most common
 * ports) and the service names they print.
 *
 * <p>Threads: {@link dev.wharf.scan.TcpScanner#scan} and {@link dev.wharf.scan.UdpScanner#scan} run
 * on the caller's thread, which paces the probes (concurrency and rate) and waits for them; each
 * probe then lives on one event loop, and its result is recorded there. {@link
 * dev.wharf.scan.PortList} and {@link dev.wharf.scan.Services} are immutable and thread-safe.
 */
package dev.wharf.scan;
