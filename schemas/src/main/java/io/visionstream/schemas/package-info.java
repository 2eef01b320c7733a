/**
 * Avro contracts of every topic the processor reads or writes, and serdes that speak the Confluent wire
 * format. May depend on Avro, Jackson and (provided) kafka-clients; never on DJL.
 */
package io.visionstream.schemas;
