package io.visionstream.inference.swin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * The tensor plumbing of shifted-window attention on channels-last maps {@code [B, H, W, C]}, plus
 * the two constants the attention needs (relative position index, shift mask), computed in Java.
 * Stateless; every result is allocated on its input's manager.
 */
final class WindowOps {

    /** Value added to the attention logits of token pairs from different shifted regions (timm, torchvision). */
    static final float MASKED = -100f;

    private WindowOps() {}

    /**
     * {@code [B, H, W, C] -> [B * nW, wh * ww, C]}, windows in row-major order, as timm's {@code
     * window_partition} followed by {@code view(-1, window_area, C)}.
     */
    static NDArray partition(NDArray x, int wh, int ww) {
        Shape s = x.getShape();
        long b = s.get(0);
        long h = s.get(1);
        long w = s.get(2);
        long c = s.get(3);
        // x.view(B, H // wh, wh, W // ww, ww, C).permute(0, 1, 3, 2, 4, 5)
        return x.reshape(b, h / wh, wh, w / ww, ww, c)
                .transpose(0, 1, 3, 2, 4, 5)
                .reshape(-1, (long) wh * ww, c);
    }

    /** Inverse of {@link #partition}: {@code [B * nW, wh * ww, C] -> [B, H, W, C]} (timm's {@code window_reverse}). */
    static NDArray reverse(NDArray windows, int wh, int ww, int h, int w) {
        long c = windows.getShape().get(2);
        // windows.view(-1, H // wh, W // ww, wh, ww, C).permute(0, 1, 3, 2, 4, 5)
        return windows.reshape(-1, h / wh, w / ww, wh, ww, c)
                .transpose(0, 1, 3, 2, 4, 5)
                .reshape(-1, h, w, c);
    }

    /**
     * {@code torch.roll(x, shifts=shift, dims=axis)} from two slices and a concatenation: element {@code
     * i} moves to {@code (i + shift) mod n}. Differentiable; returns {@code x} itself when the shift is a
     * multiple of the axis length.
     */
    static NDArray roll(NDArray x, int shift, int axis) {
        long n = x.getShape().get(axis);
        long k = Math.floorMod(shift, n);
        if (k == 0) {
            return x;
        }
        NDArray tail = x.get(NDIndex.sliceAxis(axis, n - k, n));
        NDArray head = x.get(NDIndex.sliceAxis(axis, 0, n - k));
        return tail.concat(head, axis);
    }

    /** Zero rows and columns added at the bottom and right of {@code [B, H, W, C]} (F.pad(x, (0, 0, 0, w, 0, h))). */
    static NDArray padBottomRight(NDArray x, int padH, int padW) {
        if (padH == 0 && padW == 0) {
            return x;
        }
        return x.pad(new Shape(0, 0, 0, padW, 0, padH), 0);
    }

    /** {@code x[:, :h, :w, :]}. */
    static NDArray crop(NDArray x, int h, int w) {
        Shape s = x.getShape();
        if (s.get(1) == h && s.get(2) == w) {
            return x;
        }
        return x.get(new NDIndex().addAllDim().addSliceDim(0, h).addSliceDim(0, w));
    }

    /**
     * timm's {@code get_relative_position_index(wh, ww)}, flattened: for query token {@code i} and key
     * token {@code j} of a window (row-major), the row of the bias table holding their offset, {@code
     * (hi - hj + wh - 1) * (2 * ww - 1) + (wi - wj + ww - 1)}. Length {@code (wh * ww)^2}.
     */
    static long[] relativePositionIndex(int wh, int ww) {
        int n = wh * ww;
        long[] index = new long[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int dh = i / ww - j / ww + wh - 1;
                int dw = i % ww - j % ww + ww - 1;
                index[i * n + j] = (long) dh * (2 * ww - 1) + dw;
            }
        }
        return index;
    }

    /**
     * The additive shift mask {@code [nW, N, N]} (row-major windows over the padded {@code hp x wp}
     * frame, {@code N = wh * ww}): 0 where query and key lie in the same region of the shifted frame,
     * {@link #MASKED} elsewhere. Regions per axis: {@code [0, P - window)}, {@code [P - window, P -
     * shift)}, {@code [P - shift, P)}; an axis that does not shift has a single region.
     */
    static float[] shiftMask(int hp, int wp, WindowShift ws) {
        int wh = ws.windowH();
        int ww = ws.windowW();
        int n = ws.area();
        int windowsW = wp / ww;
        int numWindows = hp / wh * windowsW;
        float[] mask = new float[numWindows * n * n];
        int[] label = new int[n];
        for (int win = 0; win < numWindows; win++) {
            int top = win / windowsW * wh;
            int left = win % windowsW * ww;
            for (int t = 0; t < n; t++) {
                label[t] = region(top + t / ww, hp, wh, ws.shiftH()) * 3 + region(left + t % ww, wp, ww, ws.shiftW());
            }
            int base = win * n * n;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    mask[base + i * n + j] = label[i] == label[j] ? 0f : MASKED;
                }
            }
        }
        return mask;
    }

    private static int region(int p, int size, int window, int shift) {
        if (shift == 0 || p < size - window) {
            return 0;
        }
        return p < size - shift ? 1 : 2;
    }
}
