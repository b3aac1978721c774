/**
 * How the sockets are read: a netlink socket made with the foreign-function API ({@code
 * NetlinkSocket}), the sock_diag requests and answers ({@code InetDiag}, {@code UnixDiag}), the
 * {@code /proc/net} fallback ({@code ProcNet}) and the owner scan of {@code /proc/*}{@code /fd}
 * ({@code ProcessScan}). Not exported.
 */
package dev.wharf.inspect.internal;
