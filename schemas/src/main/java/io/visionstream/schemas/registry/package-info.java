/**
 * A client of the Confluent Schema Registry REST API ({@link io.visionstream.schemas.registry.RestSchemaRegistryClient}),
 * an in-memory registry with Confluent's semantics for {@code mock://} URLs, the loopback HTTP registry double
 * built on it ({@link io.visionstream.schemas.registry.LocalSchemaRegistryServer}), and a caching decorator that
 * every serde uses. Depends on Avro, Jackson, slf4j and the JDK's {@code java.net.http} and {@code
 * com.sun.net.httpserver}; nothing from Kafka, so that code outside a Kafka client can use it too.
 */
package io.visionstream.schemas.registry;
