/**
 * How the command's log lines look: java.util.logging configured, through {@code
 * java.util.logging.config.class}, with one handler that writes each record as one line on stderr
 * ({@code wharf: WARNING: message}), as the rest of what the command prints. Exported to {@code
 * java.logging} alone, which instantiates these classes by reflection.
 *
 * <p>Threads: the handler may be called from any thread; it writes each line whole.
 */
package dev.wharf.cli.logging;
