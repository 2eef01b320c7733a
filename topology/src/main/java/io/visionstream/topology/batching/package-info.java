/**
 * Micro-batching that loses nothing: a per-stream-thread {@link io.visionstream.topology.batching.MicroBatcher}
 * that gathers frames from every task the thread owns, a {@link io.visionstream.topology.batching.BatchDeadline}
 * after which a batch is taken for a hung model, a {@link io.visionstream.topology.batching.BisectingRunner}
 * that reruns a batch in halves when it fails for want of resources, and a per-task {@link
 * io.visionstream.topology.batching.OrderedOutbox} that releases outcomes in input order. Durability
 * (pending frames in a changelogged store) lives in the processor that uses them. Depends on nothing
 * but the JDK and SLF4J, so it is tested without Kafka.
 */
package io.visionstream.topology.batching;
