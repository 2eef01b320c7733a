package io.visionstream.inference.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.visionstream.inference.layers.MatmulConv;

/**
 * Resizing, pooling and convolution of {@code [B, C, H, W]} maps with PyTorch's exact semantics,
 * written so that they work under autograd and on any DJL engine.
 *
 * <p>Results live on the input's manager. All methods are stateless and thread-safe. They throw
 * {@link IllegalArgumentException} for an input that is not 4-D (2-D or 3-D for class maps) or a
 * non-positive output size.
 */
public final class SpatialOps {

    // NDArrayEx.interpolation mode codes (DJL maps them to libtorch's kNearest and kBilinear).
    private static final int NEAREST = 0;
    private static final int BILINEAR = 1;

    private SpatialOps() {}

    /**
     * {@code F.interpolate(x, size=(outH, outW), mode='bilinear', align_corners=False)}, without
     * antialiasing, like mmseg's {@code resize}.
     *
     * <p>DJL's PyTorch engine always asks libtorch for antialiased bilinear interpolation. With the
     * triangle filter of support 1 that antialiasing uses when no axis shrinks, that is the same
     * arithmetic as plain bilinear, so growing or keeping sizes goes through libtorch. When an axis
     * shrinks (the pyramid pooling module resizes a 6x6 pool of a 3x3 map back to 3x3) antialiasing
     * would widen the filter, so this computes plain bilinear as two small interpolation matrices:
     * {@code A_h @ x @ A_w^T}.
     *
     * @param x float map {@code [B, C, H, W]}
     * @param outH output height, positive
     * @param outW output width, positive
     * @return {@code [B, C, outH, outW]}; {@code x} itself when the size is unchanged
     */
    public static NDArray bilinear(NDArray x, long outH, long outW) {
        requireRank(x, 4, "bilinear");
        requirePositive(outH, outW);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        if (h == outH && w == outW) {
            return x;
        }
        if (outH >= h && outW >= w) {
            return x.getNDArrayInternal().interpolation(new long[] {outH, outW}, BILINEAR, false);
        }
        NDManager manager = x.getManager();
        NDArray rows = matrix(manager, bilinearWeights(h, outH), outH, h).toDevice(x.getDevice(), false);
        NDArray cols = matrix(manager, bilinearWeights(w, outW), outW, w).toDevice(x.getDevice(), false);
        return rows.matMul(x.matMul(cols.transpose()));
    }

    /**
     * {@code F.adaptive_avg_pool2d(x, (outH, outW))}: output cell {@code i} averages input rows {@code
     * floor(i * H / outH)} to {@code ceil((i + 1) * H / outH) - 1} (likewise for columns). An output
     * larger than the input is allowed and repeats or shares input cells exactly as PyTorch does.
     *
     * @param x float map {@code [B, C, H, W]}
     * @param outH output height, positive
     * @param outW output width, positive
     * @return {@code [B, C, outH, outW]}
     */
    public static NDArray adaptiveAvgPool(NDArray x, long outH, long outW) {
        requireRank(x, 4, "adaptiveAvgPool");
        requirePositive(outH, outW);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDManager manager = x.getManager();
        NDArray rows = matrix(manager, poolWeights(h, outH), outH, h).toDevice(x.getDevice(), false);
        NDArray cols = matrix(manager, poolWeights(w, outW), outW, w).toDevice(x.getDevice(), false);
        return rows.matMul(x.matMul(cols.transpose()));
    }

    /**
     * Resizes a class map to another size, e.g. the original frame's, with {@code F.interpolate(...,
     * mode='nearest')}: output pixel {@code i} takes input pixel {@code min(floor(i * H / outH), H -
     * 1)}.
     *
     * @param classMap integer class indices {@code [B, H, W]} or {@code [H, W]}, each below 2^24
     * @param outH output height, positive
     * @param outW output width, positive
     * @return the class map {@code [B, outH, outW]} (or {@code [outH, outW]}) in the input's data type
     */
    public static NDArray resizeClassMap(NDArray classMap, long outH, long outW) {
        int rank = classMap.getShape().dimension();
        if (rank != 2 && rank != 3) {
            throw new IllegalArgumentException(
                    "resizeClassMap expects a class map [B, H, W] or [H, W], got " + classMap.getShape());
        }
        requirePositive(outH, outW);
        DataType type = classMap.getDataType();
        NDArray x = classMap.toType(DataType.FLOAT32, false);
        x = rank == 2 ? x.reshape(1, 1, x.getShape().get(0), x.getShape().get(1)) : x.expandDims(1);
        NDArray resized = x.getNDArrayInternal().interpolation(new long[] {outH, outW}, NEAREST, false);
        NDArray squeezed = rank == 2 ? resized.reshape(outH, outW) : resized.squeeze(1);
        return squeezed.toType(type, false);
    }

    /**
     * {@code F.conv2d(x, weight, bias, stride=1, padding=k // 2)} for an odd square kernel {@code k}: the
     * "same" convolution of mmcv's {@code ConvModule} and of a 1x1 classifier, through {@link
     * io.visionstream.inference.layers.MatmulConv} (never libtorch's convolution, which is wrong on some
     * CPUs; see there).
     *
     * @param x float map {@code [B, C, H, W]}
     * @param weight {@code [out, C, k, k]}, {@code k} odd (PyTorch's layout)
     * @param bias {@code [out]}, or {@code null} for none
     * @return {@code [B, out, H, W]} on the input's manager
     */
    static NDArray conv2d(NDArray x, NDArray weight, NDArray bias) {
        requireRank(x, 4, "conv2d");
        Shape s = x.getShape();
        Shape ws = weight.getShape();
        long k = ws.get(2);
        if (ws.dimension() != 4 || ws.get(1) != s.get(1) || ws.get(3) != k || k % 2 == 0) {
            throw new IllegalArgumentException(
                    "conv2d expects a weight [out, " + s.get(1) + ", k, k] with odd k, got " + ws);
        }
        return MatmulConv.conv2d(x, weight, bias, 1, (int) (k / 2));
    }

    /** Row {@code o} holds the weights of input cells for output cell {@code o} (align_corners=False). */
    static float[] bilinearWeights(long in, long out) {
        float[] weights = new float[Math.toIntExact(in * out)];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            // area_pixel_compute_source_index: src = scale * (dst + 0.5) - 0.5, clamped at 0
            double src = Math.max(scale * (o + 0.5) - 0.5, 0.0);
            int i0 = (int) src;
            int i1 = i0 < in - 1 ? i0 + 1 : i0;
            double lambda1 = src - i0;
            weights[Math.toIntExact(o * in + i0)] += (float) (1.0 - lambda1);
            weights[Math.toIntExact(o * in + i1)] += (float) lambda1;
        }
        return weights;
    }

    /** Row {@code o} averages input cells {@code [floor(o*in/out), ceil((o+1)*in/out))}. */
    static float[] poolWeights(long in, long out) {
        float[] weights = new float[Math.toIntExact(in * out)];
        for (long o = 0; o < out; o++) {
            long start = Math.floorDiv(o * in, out);
            long end = Math.floorDiv((o + 1) * in + out - 1, out);
            for (long i = start; i < end; i++) {
                weights[Math.toIntExact(o * in + i)] = 1.0f / (end - start);
            }
        }
        return weights;
    }

    private static NDArray matrix(NDManager manager, float[] weights, long rows, long cols) {
        return manager.create(weights, new Shape(rows, cols));
    }

    private static void requireRank(NDArray x, int rank, String op) {
        if (x.getShape().dimension() != rank) {
            throw new IllegalArgumentException(op + " expects a " + rank + "-D map [B, C, H, W], got " + x.getShape());
        }
    }

    private static void requirePositive(long outH, long outW) {
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("output size must be positive, got " + outH + "x" + outW);
        }
    }
}
