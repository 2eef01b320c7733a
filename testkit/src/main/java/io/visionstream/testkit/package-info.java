/**
 * A real Kafka cluster (KRaft, Kafka's own broker code, 1 or 3 brokers) started inside this JVM, for the
 * integration tests of every module and for {@code ./vision demo}. The only place that touches Kafka's
 * internal test kit; everything else sees bootstrap servers and the admin client. Depends on Kafka alone,
 * so it sits below every module that tests against it, and never ships in the processor image.
 */
package io.visionstream.testkit;
