/**
 * The model library serving needs: model families, their heads, weights, preprocessing and the batch
 * inference engine. May depend on DJL; never on Kafka, never on training.
 */
package io.visionstream.inference;
