/**
 * A client of the Confluent Schema Registry REST API ({@link io.visionstream.schemas.registry.RestSchemaRegistryClient}),
 * an in-memory registry for {@code mock://} URLs, and a caching decorator that every serde uses. Depends on
 * Avro, Jackson, slf4j and the JDK's {@code java.net.http}; nothing from Kafka, so that code outside a Kafka
 * client can use it too.
 */
package io.visionstream.schemas.registry;
