/**
 * The port scanner behind {@code wharf scan}: an unprivileged TCP connect scan (bare non-blocking
 * connects, each on a selector of its prober's thread; banners through {@link
 * dev.wharf.core.Client} on the engine's loops), the port lists it takes (lists, ranges, nmap's
 * most common ports) and the service names it prints.
 *
 * <p>Threads: {@link dev.wharf.scan.TcpScanner#scan} runs on the caller's thread, which starts the
 * probers (one per core, two at most; one under a rate), waits for them, then reads banners; each
 * probe lives on one prober's thread, and its result is recorded there. {@link
 * dev.wharf.scan.PortList} and {@link dev.wharf.scan.Services} are immutable and thread-safe.
 */
package dev.wharf.scan;
