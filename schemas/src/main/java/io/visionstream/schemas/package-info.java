/**
 * Avro contracts of every topic the processor reads or writes, and serdes that speak the Confluent wire
 * format. May depend on Avro, Jackson and (provided) kafka-clients; never on DJL.
 *
 * <ul>
 *   <li>{@link io.visionstream.schemas.avro}: the records, generated from {@code src/main/avro/*.avsc}.
 *   <li>{@link io.visionstream.schemas.registry}: the Schema Registry client (REST, or in memory for
 *       {@code mock://}); no Kafka.
 *   <li>{@link io.visionstream.schemas.serde}: the Kafka serdes, the wire format and the typed failures;
 *       start at {@link io.visionstream.schemas.serde.AvroSerdes}.
 * </ul>
 */
package io.visionstream.schemas;
