/**
 * The Avro contracts of every topic, generated at build time from {@code src/main/avro/*.avsc} (this
 * file is the only hand-written source in the package). {@code Frame} is read from the input topic;
 * {@code Prediction}, {@code Embedding} and {@code SegmentationMask} are written by the processor;
 * {@code DeadLetter} carries records that could not be processed. Depends on Avro only. The rules for
 * changing these schemas are in {@code schemas/EVOLUTION.md}.
 */
package io.visionstream.schemas.avro;
