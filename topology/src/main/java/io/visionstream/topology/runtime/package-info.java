/**
 * Running the processor: opening the model, checking topics, starting Kafka Streams with the
 * processor's guarantees, and stopping it. Used by {@code ./vision run} and {@code ./vision demo}.
 */
package io.visionstream.topology.runtime;
