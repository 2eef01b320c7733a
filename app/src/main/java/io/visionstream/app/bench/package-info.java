/**
 * The pipeline benchmark: the raw engine and the whole Kafka pipeline measured in one process and one
 * run, so their ratio is comparable on a shared machine. Prints numbers; asserts nothing.
 */
package io.visionstream.app.bench;
