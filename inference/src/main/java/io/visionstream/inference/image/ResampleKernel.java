package io.visionstream.inference.image;

/**
 * One axis of a separable PIL resample, as fixed-point coefficients: for output index {@code i}, the
 * input indices {@code start[i] .. start[i] + count[i] - 1} weighted by {@code weights[i * stride + k]}
 * in units of {@code 2^-22}.
 *
 * <p>The numbers reproduce Pillow's {@code precompute_coeffs} and {@code normalize_coeffs_8bpc}
 * (libImaging/Resample.c): the filter support is widened by the downscale factor (antialiasing), each
 * output centre is {@code (i + 0.5) * scale}, weights are normalised to sum 1 and rounded half away from
 * zero to 22 fractional bits. The nearest filter reproduces Pillow's affine nearest sampling, which
 * steps the source coordinate by repeated double addition. Immutable.
 */
final class ResampleKernel {

    /** Pillow's PRECISION_BITS for 8-bit images: 32 - 8 - 2. */
    static final int PRECISION_BITS = 22;

    final int[] start;
    final int[] count;
    final int[] weights;
    final int stride;

    private ResampleKernel(int[] start, int[] count, int[] weights, int stride) {
        this.start = start;
        this.count = count;
        this.weights = weights;
        this.stride = stride;
    }

    /**
     * Coefficients mapping {@code inSize} samples to {@code outSize}, computed only for output indices
     * {@code from .. to - 1} (a crop needs no others; each output's coefficients are independent).
     */
    static ResampleKernel of(Interpolation filter, int inSize, int outSize, int from, int to) {
        int n = to - from;
        if (inSize == outSize) {
            return identity(from, to);
        }
        if (filter == Interpolation.NEAREST) {
            return nearest(inSize, outSize, from, to);
        }
        double support = filter == Interpolation.BICUBIC ? 2.0 : 1.0;
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double scaledSupport = support * filterScale;
        int stride = (int) Math.ceil(scaledSupport) * 2 + 1;
        int[] start = new int[n];
        int[] count = new int[n];
        int[] weights = new int[n * stride];
        double[] k = new double[stride];
        double ss = 1.0 / filterScale;
        for (int i = 0; i < n; i++) {
            int xx = from + i;
            double center = (xx + 0.5) * scale;
            int xmin = (int) (center - scaledSupport + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + scaledSupport + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = filter(filter, (x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                double w = ww != 0.0 ? k[x] / ww : k[x];
                weights[i * stride + x] =
                        w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS)) : (int) (0.5 + w * (1 << PRECISION_BITS));
            }
            start[i] = xmin;
            count[i] = xmax;
        }
        return new ResampleKernel(start, count, weights, stride);
    }

    private static double filter(Interpolation filter, double x) {
        if (x < 0.0) {
            x = -x;
        }
        if (filter == Interpolation.BILINEAR) {
            return x < 1.0 ? 1.0 - x : 0.0;
        }
        final double a = -0.5;
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    private static ResampleKernel identity(int from, int to) {
        int n = to - from;
        int[] start = new int[n];
        int[] count = new int[n];
        int[] weights = new int[n];
        for (int i = 0; i < n; i++) {
            start[i] = from + i;
            count[i] = 1;
            weights[i] = 1 << PRECISION_BITS;
        }
        return new ResampleKernel(start, count, weights, 1);
    }

    private static ResampleKernel nearest(int inSize, int outSize, int from, int to) {
        int n = to - from;
        int[] start = new int[n];
        int[] count = new int[n];
        int[] weights = new int[n];
        double a = (double) inSize / outSize;
        double xo = a * 0.5;
        for (int x = 0; x < to; x++) {
            if (x >= from) {
                int xin = xo < 0.0 ? -1 : (int) xo;
                // Pillow leaves out-of-range outputs unwritten; with a whole-image box they cannot occur,
                // but clamp rather than index outside the row.
                start[x - from] = Math.max(0, Math.min(inSize - 1, xin));
                count[x - from] = 1;
                weights[x - from] = 1 << PRECISION_BITS;
            }
            xo += a;
        }
        return new ResampleKernel(start, count, weights, 1);
    }
}
