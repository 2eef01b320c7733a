/**
 * Kafka serdes that write and read Avro records in the Confluent wire format (magic byte {@code 0}, a 4-byte
 * big-endian schema id, then the Avro binary encoding), configured with Confluent's keys. Start at
 * {@link io.visionstream.schemas.serde.AvroSerdes}. Every failure is a {@link
 * io.visionstream.schemas.serde.SerializationFailure}, a Kafka {@code SerializationException}, so a Kafka
 * Streams exception handler sees it. Depends on {@code io.visionstream.schemas.registry}, Avro and the
 * (provided) kafka-clients.
 */
package io.visionstream.schemas.serde;
