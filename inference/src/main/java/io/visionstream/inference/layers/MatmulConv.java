package io.visionstream.inference.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * {@code F.conv2d(x, weight, bias, stride, padding)} for small square kernels, computed on libtorch's
 * matrix product instead of its convolution: one product of every zero-padded input pixel with all
 * {@code k * k} taps of the weight, then a sum of shifted (and, for a stride, stepped) slices. Forward and
 * backward never touch libtorch's convolution.
 *
 * <p>Why: for float32 on CPU libtorch 2.5.1 hands convolutions to oneDNN 3.5.3, and on the AMD EPYC (Zen 5)
 * build machines its {@code jit:avx512_core} kernels are wrong for 3x3 kernels: the input gradient
 * (backward_data) is wrong for every channel count tried (errors as large as the gradient), the forward
 * output is wrong when the input channel count is 8 mod 16 (24, 40, 56, ...), and both now and then read
 * uninitialised memory, giving NaN that varies from run to run. With oneDNN capped at AVX2 ({@code
 * ONEDNN_MAX_CPU_ISA=AVX2}) the same calls are exact. 1x1 kernels, the weight gradient and large-kernel
 * patch projections were right, but no layer here should depend on which cases a given CPU gets right.
 *
 * <p>Cost: both ways build one intermediate k*k times larger than the input or the output; {@link #suits}
 * limits them to kernels of at most 3x3, where that is small. On 2 EPYC cores (forward and backward, batch
 * 32) a conv stem's 3x3 stride-2 layers take 28 ms gathered against 930 ms multiplied per pixel, and
 * libtorch's own (wrong there) convolution 14 ms.
 */
public final class MatmulConv {
    /** Largest kernel side computed this way; larger kernels (patch projections, 7x7 stems) use libtorch's. */
    public static final int MAX_KERNEL = 3;

    private MatmulConv() {}

    /** Whether a {@code kernel x kernel} convolution is computed here. */
    public static boolean suits(int kernel) {
        return kernel <= MAX_KERNEL;
    }

    /**
     * The convolution.
     *
     * @param x float map {@code [B, C, H, W]}
     * @param weight {@code [out, C, k, k]} (PyTorch's layout)
     * @param bias {@code [out]}, or {@code null} for none
     * @param stride stride on both axes, at least 1
     * @param padding zero rows and columns on every side, at least 0
     * @return {@code [B, out, (H + 2p - k) / s + 1, (W + 2p - k) / s + 1]} on the input's manager (nothing is
     *     attached to the weight's)
     * @throws IllegalArgumentException for a weight that does not match the input, or a kernel larger than
     *     the padded input
     */
    public static NDArray conv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        Shape s = x.getShape();
        Shape ws = weight.getShape();
        if (s.dimension() != 4 || ws.dimension() != 4 || ws.get(1) != s.get(1) || ws.get(2) != ws.get(3)) {
            throw new IllegalArgumentException(
                    "conv2d expects x [B, C, H, W] and a weight [out, C, k, k], got " + s + " and " + ws);
        }
        if (stride < 1 || padding < 0) {
            throw new IllegalArgumentException(
                    "conv2d expects stride >= 1 and padding >= 0, got " + stride + " and " + padding);
        }
        long channels = s.get(1);
        long out = ws.get(0);
        long k = ws.get(2);
        long hp = s.get(2) + 2L * padding;
        long wp = s.get(3) + 2L * padding;
        if (k > hp || k > wp) {
            throw new IllegalArgumentException(
                    "conv2d kernel " + k + " is larger than the padded input " + hp + "x" + wp);
        }
        long outH = (hp - k) / stride + 1;
        long outW = (wp - k) / stride + 1;
        NDArray pixels = x.transpose(0, 2, 3, 1); // [B, H, W, C]
        if (padding > 0) {
            // pad's sizes run from the last axis: C by 0, W by p, H by p
            pixels = pixels.pad(new Shape(0, 0, padding, padding, padding, padding), 0);
        }
        // Two ways, chosen by the size of the one large intermediate: gathering the k*k taps of every output
        // pixel (im2col: B*outH*outW*k*k*C floats) or multiplying every padded input pixel by all taps
        // (B*Hp*Wp*k*k*out floats). A stride-2 stem on 3 input channels is ~70x smaller the first way; a
        // stride-1 head conv that narrows its channels is smaller the second.
        long gathered = outH * outW * channels;
        long perPixel = hp * wp * out;
        NDArray y = gathered <= perPixel
                ? gatherTaps(pixels, weight, x.getManager(), k, stride, outH, outW)
                : multiplyPixels(pixels, weight, x.getManager(), k, stride, outH, outW);
        if (bias != null) {
            y = y.add(bias);
        }
        return y.transpose(0, 3, 1, 2); // [B, out, outH, outW], a channels-last view
    }

    /**
     * im2col: the k*k strided slices of the padded input side by side, {@code [B, outH, outW, k*k*C]}, times the
     * weight as {@code [k*k*C, out]}.
     */
    private static NDArray gatherTaps(
            NDArray pixels, NDArray weight, NDManager manager, long k, int stride, long outH, long outW) {
        Shape s = pixels.getShape();
        long batch = s.get(0);
        long channels = s.get(3);
        long out = weight.getShape().get(0);
        NDList taps = new NDList((int) (k * k));
        for (int di = 0; di < k; di++) {
            for (int dj = 0; dj < k; dj++) {
                taps.add(pixels.get(stepped(di, dj, stride, outH, outW)));
            }
        }
        NDArray columns = taps.size() == 1 ? taps.get(0) : NDArrays.concat(taps, 3);
        // [out, C, k, k] -> [k, k, C, out]: row (di*k + dj)*C + c, matching the columns. A view of the weight
        // would otherwise belong to the parameters' manager and outlive the batch.
        NDArray kernel = weight.transpose(2, 3, 1, 0);
        kernel.attach(manager);
        return columns.reshape(batch * outH * outW, k * k * channels)
                .matMul(kernel.reshape(k * k * channels, out))
                .reshape(batch, outH, outW, out);
    }

    /**
     * One product of every padded input pixel with all k*k taps, {@code [B*Hp*Wp, C] x [C, k*k*out]}, then the
     * sum of the shifted (and stepped) slices: output pixel (i, j) sums tap (di, dj) of pixel (i*s + di, j*s +
     * dj).
     */
    private static NDArray multiplyPixels(
            NDArray pixels, NDArray weight, NDManager manager, long k, int stride, long outH, long outW) {
        Shape s = pixels.getShape();
        long batch = s.get(0);
        long hp = s.get(1);
        long wp = s.get(2);
        long channels = s.get(3);
        long out = weight.getShape().get(0);
        long taps = k * k;
        // [out, C, k, k] -> [C, k*k*out], column (di*k + dj)*out + o
        NDArray kernel = weight.transpose(1, 2, 3, 0);
        kernel.attach(manager);
        NDArray perTap = pixels.reshape(batch * hp * wp, channels)
                .matMul(kernel.reshape(channels, taps * out))
                .reshape(batch, hp, wp, taps * out);
        if (taps == 1 && stride == 1) {
            return perTap;
        }
        // split (not k*k slices of one array): its backward is one concatenation, not k*k zero-filled
        // copies of the whole per-tap array
        NDList tapOutputs = taps == 1 ? new NDList(perTap) : perTap.split(taps, 3);
        NDArray y = null;
        for (int di = 0; di < k; di++) {
            for (int dj = 0; dj < k; dj++) {
                NDArray tap = tapOutputs.get(di * (int) k + dj).get(stepped(di, dj, stride, outH, outW));
                y = y == null ? tap : y.add(tap);
            }
        }
        return y;
    }

    /** The outH x outW pixels of a channels-last map that tap (di, dj) reads at this stride. */
    private static NDIndex stepped(int di, int dj, int stride, long outH, long outW) {
        return new NDIndex(
                ":, {}:{}:{}, {}:{}:{}, :",
                di,
                di + (outH - 1) * stride + 1,
                stride,
                dj,
                dj + (outW - 1) * stride + 1,
                stride);
    }
}
