package dev.wharf.bench.http;

/** A server that is listening on {@code port}; {@code stop} closes it and its event loops. */
public record BoundServer(int port, Runnable stop) {}
