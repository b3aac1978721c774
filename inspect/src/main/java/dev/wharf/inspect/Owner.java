package dev.wharf.inspect;

/**
 * A process holding a socket open: {@code users:(("sshd",pid=812,fd=3))} in {@code ss -p}.
 * Immutable; any thread.
 *
 * @param pid the process id
 * @param command its command name ({@code /proc/PID/comm}), empty if it vanished meanwhile
 * @param fd the descriptor number in that process
 */
public record Owner(int pid, String command, int fd) {}
