/**
 * The {@code wharf} command line ({@link dev.wharf.cli.Main}) and what its commands share: exit
 * codes and failure messages ({@link dev.wharf.cli.Failures}), the {@code -v} story ({@link
 * dev.wharf.cli.Story}), host, port and address-family arguments, name resolution, URLs as typed
 * and credentials in them, sizes and JSON quoting. Each command lives in its own sub-package:
 * {@code get}, {@code serve}, {@code ws}, and {@code socket} ({@code connect}, {@code listen},
 * {@code echo}); {@code io} moves stdin and stdout, {@code tls} holds the TLS options, {@code
 * logging} formats log lines.
 *
 * <p>picocli's models of the commands are not read from their annotations at run time but built by
 * the {@code GeneratedModels} class of each package, which cli's tests write from the annotations
 * and hold equal to what picocli's reflection makes of them (issue 16: that reflection was most of
 * a start); {@link dev.wharf.cli.StandardHelp} adds {@code -h} and {@code -V}.
 *
 * <p>Threads: a command runs on the main thread and blocks it until done. Protocol and listener
 * code runs on the event loops; stdin is read on a {@code wharf-stdin} thread; Ctrl-C and SIGTERM
 * run shutdown hooks. The classes here hold no state of their own except {@link
 * dev.wharf.cli.Story}, which any thread may tell, each line whole. docs/CONCURRENCY.md lists each
 * command's threads and what guards their state.
 */
package dev.wharf.cli;
