/**
 * The Vision Transformer, its heads, weights, preprocessing and the batch inference engine. May depend
 * on DJL (and, should it need the contracts, on {@code io.visionstream.schemas}); never on Kafka.
 */
package io.visionstream.inference;
