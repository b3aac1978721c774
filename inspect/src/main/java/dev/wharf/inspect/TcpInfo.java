package dev.wharf.inspect;

/**
 * What the kernel's {@code struct tcp_info} tells of a TCP connection, as {@code ss -i} shows it.
 * Times are in microseconds, as the kernel keeps them. Immutable; any thread.
 *
 * @param rtoMicros the retransmission timeout
 * @param rttMicros the smoothed round-trip time
 * @param rttVarMicros its mean deviation
 * @param minRttMicros the smallest round-trip time seen (0 on kernels before 4.6)
 * @param sendMss the maximum segment size we send
 * @param congestionWindow {@code snd_cwnd}, in segments
 * @param slowStartThreshold {@code snd_ssthresh}, in segments
 * @param unacked segments sent and not yet acknowledged
 * @param lost segments thought lost
 * @param retransmits retransmissions of the current timeout ({@code tcpi_retransmits})
 * @param totalRetransmits retransmitted segments over the connection's life
 * @param bytesAcked bytes the peer acknowledged (0 on kernels before 4.1)
 * @param bytesReceived bytes received (0 on kernels before 4.1)
 * @param deliveryRateBytesPerSecond the recent delivery rate (0 on kernels before 4.9)
 */
public record TcpInfo(
    long rtoMicros,
    long rttMicros,
    long rttVarMicros,
    long minRttMicros,
    long sendMss,
    long congestionWindow,
    long slowStartThreshold,
    long unacked,
    long lost,
    int retransmits,
    long totalRetransmits,
    long bytesAcked,
    long bytesReceived,
    long deliveryRateBytesPerSecond) {}
