/**
 * Batch inference: {@link io.visionstream.inference.engine.InferenceEngine} takes B normalised CHW
 * images in one float array and returns per-image logits, top-k predictions and embeddings. Callers
 * depend on the interface and {@link io.visionstream.inference.engine.InferenceEngines}; the DJL/PyTorch
 * implementation is one backend, so another (e.g. ONNX Runtime) can be added without touching them.
 *
 * <p>Depends on the {@code backbone} seam, {@code model}, {@code weights} and {@code architectures} and
 * DJL, never on a family's classes; no Kafka.
 */
package io.visionstream.inference.engine;
