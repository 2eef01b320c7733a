package io.visionstream.inference.engine;

import java.util.List;
import java.util.Locale;

/**
 * Tells a failure of {@link InferenceEngine#infer} that is the batch's fault, because the device ran out of
 * memory for this many images, from one that is the model's or the engine's. The same frames in smaller
 * batches may well run after the first; after the second they would fail again.
 *
 * <p>A failure is resource exhaustion when any throwable in its cause chain
 *
 * <ul>
 *   <li>is an {@link OutOfMemoryError}: the JVM's heap or direct memory, which a batch's input array and
 *       outputs draw on in proportion to its size; or
 *   <li>has a message containing, ignoring case, one of {@link #MESSAGE_MARKERS}, the words the native
 *       allocators use: libtorch on CUDA ({@code CUDA out of memory. Tried to allocate 2.00 GiB ...}, {@code
 *       CUDA error: out of memory}), cuBLAS and cuDNN ({@code CUBLAS_STATUS_ALLOC_FAILED}, {@code
 *       CUDNN_STATUS_ALLOC_FAILED}), libtorch on CPU ({@code DefaultCPUAllocator: can't allocate memory}),
 *       Apple's MPS backend ({@code MPS backend out of memory}), ONNX Runtime ({@code Failed to allocate
 *       memory for requested buffer}), and C++'s {@code std::bad_alloc}.
 * </ul>
 *
 * <p>Anything else (a device-side assert, a shape error, a closed engine) is not: the model failed, and
 * would fail again. Stateless and thread-safe.
 */
public final class ResourceExhaustion {

    /** Lower-case fragments of allocation failures' messages. */
    public static final List<String> MESSAGE_MARKERS =
            List.of("out of memory", "alloc_failed", "can't allocate memory", "failed to allocate memory", "bad_alloc");

    private ResourceExhaustion() {}

    /** Whether {@code failure} says the device or the host ran out of memory (see the class comment). */
    public static boolean isResourceExhaustion(Throwable failure) {
        // A bounded walk: a cause chain can loop.
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
            String message = t.getMessage();
            if (message != null) {
                String lower = message.toLowerCase(Locale.ROOT);
                for (String marker : MESSAGE_MARKERS) {
                    if (lower.contains(marker)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
