/**
 * The kernel's view of every socket on the machine, as {@code ss} gives it: TCP, UDP and raw over
 * IPv4 and IPv6 and Unix-domain sockets, with their states, queues, timers, TCP details and owning
 * processes. Linux only. No dependencies beyond the JDK and core; {@code
 * dev.wharf.inspect.internal} (the netlink socket and the parsers) is not exported.
 *
 * <p>The sockets are read over netlink ({@code NETLINK_SOCK_DIAG}) with the foreign-function API: a
 * launcher grants it with {@code --enable-native-access=dev.wharf.inspect} (or {@code ALL-UNNAMED}
 * on the class path). Without it, or where netlink is refused, {@code /proc/net} is read instead.
 */
module dev.wharf.inspect {
  requires dev.wharf.core; // Addresses

  exports dev.wharf.inspect;
}
