/**
 * The streaming library: the Kafka Streams processing of frames ({@code processing}), micro-batching
 * ({@code batching}), configuration ({@code config}), topics ({@code topics}) and the runtime that {@code
 * run} needs ({@code runtime}). It sees models only through {@link
 * io.visionstream.inference.engine.InferenceEngine}. Depends on Kafka Streams, the schemas and the
 * inference module; never on the broker, the command line or training.
 */
package io.visionstream.topology;
