/**
 * Benchmarks that print the machine, the settings and the numbers and assert nothing: the engine alone
 * ({@link io.visionstream.app.bench.EngineBenchmark}: images/s per model and batch size) and the whole
 * Kafka pipeline against the raw engine in one process and one run ({@link
 * io.visionstream.app.bench.PipelineBenchmark}), so their ratio is comparable on a shared machine, plus
 * the long soak.
 */
package io.visionstream.app.bench;
