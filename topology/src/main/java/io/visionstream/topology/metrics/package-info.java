/**
 * The processor's own meters ({@code visionstream_*}): frames received, outcomes by kind, dead letters by
 * stage, batches by trigger and size, queue, inference and end-to-end latency histograms, pending frames
 * and batches in flight, the model being served, and per-camera frame counts with a cap on distinct
 * cameras. Every meter is registered up front or once per camera, so the hot path only increments. Depends
 * on Micrometer, the Avro enums of the schemas and the batching package; serving them over HTTP is the
 * runtime's job.
 */
package io.visionstream.topology.metrics;
