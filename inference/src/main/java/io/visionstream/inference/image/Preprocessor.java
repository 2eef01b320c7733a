package io.visionstream.inference.image;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * timm's eval transform, bit-compatible with PIL + torchvision on 8-bit RGB input:
 *
 * <ol>
 *   <li>Resize. For a square input ({@code height == width}) the shorter image side becomes {@code
 *       floor(size / crop_pct)}, the longer {@code int(short * long / short_side)} (torchvision {@code
 *       Resize(int)}), with the configured filter. For a non-square input, as timm does it: {@code
 *       scale = (floor(H / crop_pct), floor(W / crop_pct))}, {@code ratio = min(h / scaleH, w /
 *       scaleW)}, new size {@code (round(h / ratio), round(w / ratio))} with round-half-even, and the
 *       filter is <b>bilinear whatever the config says</b>, because timm's {@code
 *       transforms_imagenet_eval} builds {@code ResizeKeepRatio(scale_size)} without passing the
 *       interpolation. No resize happens when the size would not change.
 *   <li>Resampling as Pillow's {@code Image.resize} for 8-bit images: separable, horizontal pass then
 *       vertical pass, support widened by the downscale factor (antialiasing), 22-bit fixed-point
 *       weights, rounding and clamping to 0..255 after each pass. Nearest uses Pillow's affine sampling.
 *   <li>Center crop to {@code height x width} as torchvision's {@code CenterCrop}: offset {@code
 *       round((resized - crop) / 2)} half-to-even; where the resized image is smaller it is padded
 *       with value 0, {@code (crop - resized) // 2} before.
 *   <li>{@code ToTensor} ({@code v / 255f}) and {@code Normalize} ({@code (x - mean) / std}), both in
 *       float32 as torch does them; done by a 256-entry table per channel, which gives the same floats.
 * </ol>
 *
 * <p>Only the output pixels inside the crop are computed. Resample coefficients are cached per source
 * size (a small LRU; camera streams repeat sizes).
 *
 * <p>Thread-safe: the coefficient cache is synchronised and the scratch buffers are per thread.
 */
public final class Preprocessor {

    private static final int PLAN_CACHE_SIZE = 32;

    private final PreprocessConfig config;
    private final float[][] lut = new float[3][256];
    private final Map<Long, Plan> plans = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Plan> eldest) {
            return size() > PLAN_CACHE_SIZE;
        }
    };
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** A preprocessor for {@code config}. */
    public Preprocessor(PreprocessConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        if (config.cropMode() != PreprocessConfig.CropMode.CENTER) {
            throw new IllegalArgumentException(
                    "pretrained_cfg.crop_mode '" + config.cropMode().timmName() + "' is not supported, only 'center'");
        }
        this.config = config;
        double[] mean = config.mean();
        double[] std = config.std();
        for (int c = 0; c < 3; c++) {
            // torch.tensor(mean) is float32: round the doubles first, then compute as torch does.
            float m = (float) mean[c];
            float s = (float) std[c];
            for (int v = 0; v < 256; v++) {
                lut[c][v] = ((float) v / 255f - m) / s;
            }
        }
    }

    /** The configuration. */
    public PreprocessConfig config() {
        return config;
    }

    /** Floats one image occupies in the output: {@code 3 * height * width}. */
    public int floatsPerImage() {
        return config.floatsPerImage();
    }

    /**
     * Writes {@code img} preprocessed into {@code dst[offset .. offset + 3*H*W)}, CHW: channel {@code c}
     * (0 = R), row {@code y}, column {@code x} at {@code offset + (c * H + y) * W + x}. A batch of B
     * images is B such blocks back to back, image {@code b} at {@code offset = b * 3 * H * W}.
     *
     * @throws IllegalArgumentException if {@code img} or {@code dst} is null or the block does not fit
     */
    public void preprocess(DecodedImage img, float[] dst, int offset) {
        if (img == null || dst == null) {
            throw new IllegalArgumentException("image and destination must not be null");
        }
        int outFloats = config.floatsPerImage();
        if (offset < 0 || (long) offset + outFloats > dst.length) {
            throw new IllegalArgumentException(
                    "destination of " + dst.length + " floats cannot hold " + outFloats + " at offset " + offset);
        }
        Plan plan = plan(img.width(), img.height());
        run(plan, img.rgb(), img.width(), FloatBuffer.wrap(dst), offset);
    }

    /**
     * Writes {@code img} preprocessed into {@code dst[0 .. 3*H*W)} by absolute index, CHW as {@link
     * #preprocess(DecodedImage, float[], int)} lays it out; the buffer's position and limit do not move. With
     * a slot of an engine's input batch ({@code InputBatch.slot}) this is the frame's only copy on its way to
     * the model.
     *
     * @throws IllegalArgumentException if {@code img} or {@code dst} is null, or {@code dst} has fewer than
     *     {@code 3*H*W} floats up to its limit
     */
    public void preprocess(DecodedImage img, FloatBuffer dst) {
        if (img == null || dst == null) {
            throw new IllegalArgumentException("image and destination must not be null");
        }
        int outFloats = config.floatsPerImage();
        if (dst.limit() < outFloats) {
            throw new IllegalArgumentException(
                    "destination of " + dst.limit() + " floats cannot hold an image of " + outFloats);
        }
        Plan plan = plan(img.width(), img.height());
        run(plan, img.rgb(), img.width(), dst, 0);
    }

    /**
     * Projects a per-pixel map made at the model's input ({@code [H, W]} row-major, e.g. a class map) back
     * onto a frame of {@code frameWidth x frameHeight}: the inverse of this preprocessor's resize and
     * center crop, sampling the nearest map pixel. Frame pixels the crop cut away were never seen by the
     * model and get {@code outside}.
     *
     * @throws IllegalArgumentException if {@code map} is not {@code H * W} long or the frame size is not
     *     positive
     */
    public byte[] projectToFrame(byte[] map, int frameWidth, int frameHeight, byte outside) {
        int outH = config.height();
        int outW = config.width();
        if (map == null || map.length != outH * outW) {
            throw new IllegalArgumentException("map must hold " + outH + "x" + outW + " = " + outH * outW
                    + " values, got " + (map == null ? "null" : map.length));
        }
        if (frameWidth <= 0 || frameHeight <= 0) {
            throw new IllegalArgumentException("frame size must be positive, got " + frameWidth + "x" + frameHeight);
        }
        Plan p = plan(frameWidth, frameHeight);
        // resized index = map index + offset, as in the forward crop
        int offsetX = p.ax.resizedFrom - p.ax.outFrom;
        int offsetY = p.ay.resizedFrom - p.ay.outFrom;
        int[] columns = new int[frameWidth];
        for (int fx = 0; fx < frameWidth; fx++) {
            int rx = (int) Math.floor((fx + 0.5) * p.resizedWidth / frameWidth);
            columns[fx] = rx - offsetX;
        }
        byte[] out = new byte[frameWidth * frameHeight];
        for (int fy = 0; fy < frameHeight; fy++) {
            int my = (int) Math.floor((fy + 0.5) * p.resizedHeight / frameHeight) - offsetY;
            int row = fy * frameWidth;
            for (int fx = 0; fx < frameWidth; fx++) {
                int mx = columns[fx];
                out[row + fx] = my >= 0 && my < outH && mx >= 0 && mx < outW ? map[my * outW + mx] : outside;
            }
        }
        return out;
    }

    /** The size {@code img} is resized to before the crop, as {@code [width, height]}; for tests and logs. */
    public int[] resizedSize(int width, int height) {
        Plan p = plan(width, height);
        return new int[] {p.resizedWidth, p.resizedHeight};
    }

    private Plan plan(int w, int h) {
        long key = ((long) w << 32) | h;
        synchronized (plans) {
            Plan p = plans.get(key);
            if (p == null) {
                p = buildPlan(w, h);
                plans.put(key, p);
            }
            return p;
        }
    }

    private Plan buildPlan(int w, int h) {
        int outH = config.height();
        int outW = config.width();
        int scaleH = (int) Math.floor(outH / config.cropPct());
        int scaleW = (int) Math.floor(outW / config.cropPct());
        int rw;
        int rh;
        Interpolation filter;
        if (scaleH == scaleW) {
            // torchvision Resize(int): shorter side to scaleH, longer side int(size * long / short).
            filter = config.interpolation();
            if (w <= h) {
                rw = scaleH;
                rh = (int) ((double) ((long) scaleH * h) / w);
            } else {
                rh = scaleH;
                rw = (int) ((double) ((long) scaleH * w) / h);
            }
        } else {
            // timm ResizeKeepRatio(scale_size), longest=0, default interpolation "bilinear".
            filter = Interpolation.BILINEAR;
            double ratio = Math.min((double) h / scaleH, (double) w / scaleW);
            rh = (int) Math.rint(h / ratio);
            rw = (int) Math.rint(w / ratio);
        }
        Axis ax = Axis.of(outW, rw);
        Axis ay = Axis.of(outH, rh);
        ResampleKernel kx = ResampleKernel.of(filter, w, rw, ax.resizedFrom, ax.resizedTo);
        ResampleKernel ky = ResampleKernel.of(filter, h, rh, ay.resizedFrom, ay.resizedTo);
        int srcRow0 = Integer.MAX_VALUE;
        int srcRow1 = 0;
        for (int i = 0; i < ky.start.length; i++) {
            srcRow0 = Math.min(srcRow0, ky.start[i]);
            srcRow1 = Math.max(srcRow1, ky.start[i] + ky.count[i]);
        }
        if (ky.start.length == 0) {
            srcRow0 = 0;
        }
        boolean identity = rw == w && rh == h;
        boolean padded = ax.outFrom > 0 || ax.outTo < outW || ay.outFrom > 0 || ay.outTo < outH;
        return new Plan(rw, rh, ax, ay, kx, ky, srcRow0, srcRow1, identity, padded);
    }

    private void run(Plan p, byte[] src, int srcW, FloatBuffer dst, int offset) {
        int outH = config.height();
        int outW = config.width();
        int plane = outH * outW;
        float[] l0 = lut[0];
        float[] l1 = lut[1];
        float[] l2 = lut[2];
        if (p.padded) {
            for (int i = 0; i < plane; i++) {
                dst.put(offset + i, l0[0]);
                dst.put(offset + plane + i, l1[0]);
                dst.put(offset + 2 * plane + i, l2[0]);
            }
        }
        int x0 = p.ax.outFrom;
        int ncols = p.ax.resizedTo - p.ax.resizedFrom;
        int nrows = p.ay.resizedTo - p.ay.resizedFrom;
        if (p.identity) {
            for (int r = 0; r < nrows; r++) {
                int y = p.ay.outFrom + r;
                int sy = p.ay.resizedFrom + r;
                int s = (sy * srcW + p.ax.resizedFrom) * 3;
                int d = offset + y * outW + x0;
                for (int j = 0; j < ncols; j++, s += 3, d++) {
                    dst.put(d, l0[src[s] & 0xFF]);
                    dst.put(d + plane, l1[src[s + 1] & 0xFF]);
                    dst.put(d + 2 * plane, l2[src[s + 2] & 0xFF]);
                }
            }
            return;
        }
        int rowLen = ncols * 3;
        int spanRows = p.srcRow1 - p.srcRow0;
        Scratch sc = scratch.get();
        byte[] tmp = sc.bytes(spanRows * rowLen);
        int[] acc = sc.ints(rowLen);
        horizontal(p.kx, src, srcW, p.srcRow0, spanRows, tmp, ncols);
        ResampleKernel ky = p.ky;
        final int half = 1 << (ResampleKernel.PRECISION_BITS - 1);
        for (int r = 0; r < nrows; r++) {
            java.util.Arrays.fill(acc, 0, rowLen, half);
            int base = (ky.start[r] - p.srcRow0) * rowLen;
            int kOff = r * ky.stride;
            for (int k = 0; k < ky.count[r]; k++) {
                int w = ky.weights[kOff + k];
                int t = base + k * rowLen;
                for (int j = 0; j < rowLen; j++) {
                    acc[j] += (tmp[t + j] & 0xFF) * w;
                }
            }
            int d = offset + (p.ay.outFrom + r) * outW + x0;
            for (int j = 0; j < rowLen; j += 3, d++) {
                dst.put(d, l0[clip8(acc[j])]);
                dst.put(d + plane, l1[clip8(acc[j + 1])]);
                dst.put(d + 2 * plane, l2[clip8(acc[j + 2])]);
            }
        }
    }

    /** Pillow's ImagingResampleHorizontal_8bpc over source rows {@code row0 .. row0 + rows - 1}. */
    private static void horizontal(ResampleKernel kx, byte[] src, int srcW, int row0, int rows, byte[] tmp, int ncols) {
        final int half = 1 << (ResampleKernel.PRECISION_BITS - 1);
        int o = 0;
        for (int r = 0; r < rows; r++) {
            int rowBase = (row0 + r) * srcW;
            for (int j = 0; j < ncols; j++) {
                int s = (rowBase + kx.start[j]) * 3;
                int kOff = j * kx.stride;
                int n = kx.count[j];
                int a0 = half;
                int a1 = half;
                int a2 = half;
                for (int k = 0; k < n; k++, s += 3) {
                    int w = kx.weights[kOff + k];
                    a0 += (src[s] & 0xFF) * w;
                    a1 += (src[s + 1] & 0xFF) * w;
                    a2 += (src[s + 2] & 0xFF) * w;
                }
                tmp[o++] = (byte) clip8(a0);
                tmp[o++] = (byte) clip8(a1);
                tmp[o++] = (byte) clip8(a2);
            }
        }
    }

    private static int clip8(int v) {
        int s = v >> ResampleKernel.PRECISION_BITS;
        return s < 0 ? 0 : Math.min(s, 255);
    }

    /**
     * One axis of the crop: output indices {@code outFrom .. outTo-1} show resized indices {@code
     * resizedFrom .. resizedTo-1}; the rest of the output is padding.
     */
    private record Axis(int outFrom, int outTo, int resizedFrom, int resizedTo) {
        static Axis of(int crop, int resized) {
            int offset; // resized index = output index + offset
            if (crop > resized) {
                offset = -((crop - resized) / 2);
            } else {
                offset = (int) Math.rint((resized - crop) / 2.0);
            }
            int from = Math.max(0, -offset);
            int to = Math.min(crop, resized - offset);
            return new Axis(from, to, from + offset, to + offset);
        }
    }

    private record Plan(
            int resizedWidth,
            int resizedHeight,
            Axis ax,
            Axis ay,
            ResampleKernel kx,
            ResampleKernel ky,
            int srcRow0,
            int srcRow1,
            boolean identity,
            boolean padded) {}

    private static final class Scratch {
        private byte[] bytes = new byte[0];
        private int[] ints = new int[0];

        byte[] bytes(int n) {
            if (bytes.length < n) {
                bytes = new byte[n];
            }
            return bytes;
        }

        int[] ints(int n) {
            if (ints.length < n) {
                ints = new int[n];
            }
            return ints;
        }
    }
}
