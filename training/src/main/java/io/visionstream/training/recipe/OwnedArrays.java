package io.visionstream.training.recipe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Constants for autograd graphs in storage that libtorch owns.
 *
 * <p>On the CPU, {@code NDManager.create(float[])} wraps a Java direct buffer ({@code torch::from_blob}),
 * and so does every {@code op(Number)} scalar. Autograd may keep such a tensor for the backward pass after
 * the Java object that holds the buffer is gone; its memory is then reused and gradients turn to garbage
 * or NaN at random. A libtorch clone of the staged array has no such tie.
 */
final class OwnedArrays {

    private OwnedArrays() {}

    /** {@code values} as a {@code shape} float32 array on {@code manager}, in libtorch's own storage. */
    static NDArray of(NDManager manager, float[] values, Shape shape) {
        try (NDArray staged = manager.create(values, shape)) {
            return staged.duplicate();
        }
    }

    /** {@code values} as a {@code shape} int32 array on {@code manager}, in libtorch's own storage. */
    static NDArray of(NDManager manager, int[] values, Shape shape) {
        try (NDArray staged = manager.create(values, shape)) {
            return staged.duplicate();
        }
    }
}
