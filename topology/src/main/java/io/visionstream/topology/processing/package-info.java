/**
 * The frame processor: validates, decodes and preprocesses each input record, batches frames through the
 * per-thread {@link io.visionstream.topology.batching.MicroBatcher}, keeps every unfinished frame in a
 * changelogged store until its outcome is forwarded, and turns outcomes into output records. Depends on
 * Kafka Streams, the schemas and the inference engine.
 */
package io.visionstream.topology.processing;
