/**
 * {@code wharf audit}: every listening socket of the machine with its process, read through {@code
 * dev.wharf.inspect} as {@code wharf sockets -lp} reads them, each judged by where it can be
 * reached from ({@link dev.wharf.cli.audit.Reach}), the well-known ports worth a second look called
 * out ({@link dev.wharf.cli.audit.SensitivePorts}), and what the user allows ({@link
 * dev.wharf.cli.audit.AllowRules}) set apart, in one plain sentence per socket or as JSON ({@link
 * dev.wharf.cli.audit.AuditReport}).
 *
 * <p>Threads: everything runs on the main thread, once; nothing is started.
 */
package dev.wharf.cli.audit;
