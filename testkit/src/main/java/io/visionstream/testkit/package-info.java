/**
 * Real Kafka clusters for the integration tests of every module and for {@code ./vision demo}: {@link
 * io.visionstream.testkit.EmbeddedKafkaCluster} (KRaft, Kafka's own broker code, 1 or 3 brokers inside this
 * JVM, the only place that touches Kafka's internal test kit), {@link
 * io.visionstream.testkit.BrokerProcessCluster} (each KRaft node a JVM of its own, so a test can kill one with
 * SIGKILL; PLAINTEXT, SASL_SSL with SCRAM, or mutual TLS), and {@link io.visionstream.testkit.TestCertificates}
 * (a CA and key stores made with the JDK's keytool). Everything else sees bootstrap servers and the admin
 * client. Depends on Kafka alone, so it sits below every module that tests against it, and never ships in
 * the processor image.
 */
package io.visionstream.testkit;
