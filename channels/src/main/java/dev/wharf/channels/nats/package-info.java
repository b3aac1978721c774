/**
 * The NATS broker: channels shared by every node connected to one NATS server with JetStream. The
 * history is a JetStream stream (so history and recovery work on NATS too), offsets are made
 * consecutive by JetStream's optimistic concurrency, publications fan out on core subjects, and
 * presence is a key-value bucket whose entries expire unless their node refreshes them.
 */
package dev.wharf.channels.nats;
