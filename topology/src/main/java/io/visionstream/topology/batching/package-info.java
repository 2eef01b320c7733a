/**
 * Micro-batching that loses nothing: a per-stream-thread {@link io.visionstream.topology.batching.MicroBatcher}
 * that gathers frames from every task the thread owns, and a per-task {@link
 * io.visionstream.topology.batching.OrderedOutbox} that releases outcomes in input order. Durability
 * (pending frames in a changelogged store) lives in the processor that uses them. Depends on nothing
 * but the JDK, so it is tested without Kafka.
 */
package io.visionstream.topology.batching;
