package io.visionstream.inference.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * TensorFlow's "SAME" padding, as timm's {@code pad_same}: enough padding that a window of {@code
 * kernel} with {@code stride} yields {@code ceil(size / stride)} outputs, the odd row or column going
 * after (bottom, right). Stateless and thread-safe.
 */
public final class SamePadding {

    private SamePadding() {}

    /**
     * Padding of one axis: {@code total = max((ceil(size / stride) - 1) * stride + kernel - size, 0)},
     * {@code {total / 2, total - total / 2}}.
     *
     * @return {@code {before, after}}
     */
    public static long[] amounts(long size, int kernel, int stride) {
        long out = (size + stride - 1) / stride;
        long total = Math.max((out - 1) * stride + kernel - size, 0);
        return new long[] {total / 2, total - total / 2};
    }

    /**
     * Pads the last two axes of {@code x} for a {@code kernel x kernel} window with {@code stride}: {@code
     * F.pad(x, (left, right, top, bottom), value=fill)}.
     *
     * @param x {@code [B, C, H, W]}
     * @param fill the value of the new cells: 0 before a convolution, {@code -inf} before a max-pool
     * @return {@code [B, C, H + top + bottom, W + left + right]}; {@code x} itself when nothing is added
     */
    public static NDArray pad(NDArray x, int kernel, int stride, double fill) {
        Shape s = x.getShape();
        long[] h = amounts(s.get(2), kernel, stride);
        long[] w = amounts(s.get(3), kernel, stride);
        if (h[0] + h[1] + w[0] + w[1] == 0) {
            return x;
        }
        // F.pad takes the last axis first
        return x.pad(new Shape(w[0], w[1], h[0], h[1]), fill);
    }

    /** Output size of a SAME window along one axis: {@code ceil(size / stride)}. */
    public static long outputSize(long size, int stride) {
        return (size + stride - 1) / stride;
    }
}
