/**
 * The port scanner behind {@code wharf scan}: an unprivileged TCP connect scan (bare non-blocking
 * connects, each on a selector of its prober's thread; banners through {@link
 * dev.wharf.core.Client} on the engine's loops), an unprivileged UDP scan ({@link
 * dev.wharf.scan.UdpScanner}: a connected {@link dev.wharf.core.DatagramEndpoint} per port, which
 * hears ICMP port unreachable), a half-open SYN scan ({@link dev.wharf.scan.SynScanner}, over
 * {@code dev.wharf.packets.SynProber}'s raw socket and capture), the port lists they take (lists,
 * ranges, nmap's most common ports) and the service names they print.
 *
 * <p>Threads: {@link dev.wharf.scan.TcpScanner#scan} runs on the caller's thread, which starts the
 * probers (one per core, two at most; one under a rate), waits for them, then reads banners; each
 * probe lives on one prober's thread, and its result is recorded there. {@link
 * dev.wharf.scan.UdpScanner#scan} runs on the caller's thread too, which paces the probes
 * (concurrency and rate) and waits for them; each UDP probe lives on one event loop. {@link
 * dev.wharf.scan.SynScanner#scan} does all its work on the caller's thread. {@link
 * dev.wharf.scan.PortList} and {@link dev.wharf.scan.Services} are immutable and thread-safe.
 */
package dev.wharf.scan;
