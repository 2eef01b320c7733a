/**
 * Throughput measurement of the inference engine against the machine's measured fp32 matmul rate, for
 * {@code ./vision bench}. Not a test: numbers depend on the machine and on whatever else runs on it.
 * Depends on the {@code engine} and {@code vit} packages and DJL.
 */
package io.visionstream.inference.bench;
