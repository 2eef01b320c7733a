/**
 * Running the processor: opening the model, checking topics, starting Kafka Streams with the
 * processor's guarantees, and stopping it; and watching it: the meter registry with {@code /metrics},
 * {@code /healthz} and {@code /readyz} on the JDK's HTTP server. Used by {@code ./vision run} and {@code
 * ./vision demo}.
 */
package io.visionstream.topology.runtime;
