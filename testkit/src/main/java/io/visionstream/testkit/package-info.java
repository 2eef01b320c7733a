/**
 * A real Kafka cluster (KRaft, Kafka's own broker code) started inside this JVM. It backs {@code
 * ./vision demo} and every integration test. This is the only place that touches Kafka's internal test
 * kit; everything else sees bootstrap servers and the admin client. May depend on Kafka; nothing on DJL.
 */
package io.visionstream.testkit;
