/**
 * Vision model families (ViT, DeiT and the hybrid ViTs) behind one backbone seam, their shared layers,
 * the dense head, weights, preprocessing and the batch inference engine. May depend on DJL (and, should
 * it need the contracts, on {@code io.visionstream.schemas}); never on Kafka.
 */
package io.visionstream.inference;
