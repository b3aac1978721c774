/**
 * The channels fan-out benchmark: one publisher, many WebSocket subscribers of one channel, Wharf
 * (in-memory and Redis brokers) against Socket.IO (plain and with its Redis adapter), driven by
 * bench/fanout/run.
 */
package dev.wharf.bench.fanout;
