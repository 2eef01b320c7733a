/**
 * The model library serving needs: vision model families (ViT, DeiT and the hybrid ViTs) behind one
 * backbone seam, their shared layers, the dense head, weights, preprocessing and the batch inference
 * engine. May depend on DJL; never on Kafka, never on training.
 */
package io.visionstream.inference;
