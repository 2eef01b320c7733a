package io.visionstream.training;

import java.util.Locale;

/** How a from-scratch training run initialises the learned position embedding ({@code --pos-embed-init}). */
public enum PosEmbedInit {
    /** timm's: truncated normal, std 0.02. The model must learn where every patch is from data. */
    NORMAL,
    /**
     * Fixed 2-D sine-cosine values, as MAE initialises (and freezes) its encoder's: the first half of the
     * channels encodes the patch row, the second half its column, each as sines and cosines of the
     * position at {@code D / 4} frequencies {@code 1 / 10000^(i / (D / 4))}; the prefix tokens get zeros.
     * Still learned afterwards. Needs a width divisible by 4.
     */
    SINCOS;

    /**
     * @throws IllegalArgumentException naming the option and the accepted values
     */
    public static PosEmbedInit parse(String value) {
        for (PosEmbedInit p : values()) {
            if (p.name().toLowerCase(Locale.ROOT).equals(value)) {
                return p;
            }
        }
        throw new IllegalArgumentException("--pos-embed-init must be normal or sincos, got '" + value + "'");
    }

    /**
     * The sine-cosine table for a {@code rows x cols} grid behind {@code prefixTokens} tokens, row-major,
     * {@code [(prefixTokens + rows * cols) * dim]}.
     */
    static float[] sincos(int prefixTokens, int rows, int cols, int dim) {
        if (dim % 4 != 0) {
            throw new IllegalArgumentException("--pos-embed-init sincos needs --dim divisible by 4, got " + dim);
        }
        int quarter = dim / 4;
        float[] v = new float[(prefixTokens + rows * cols) * dim];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int base = (prefixTokens + r * cols + c) * dim;
                for (int i = 0; i < quarter; i++) {
                    double omega = 1 / Math.pow(10_000, (double) i / quarter);
                    v[base + i] = (float) Math.sin(r * omega);
                    v[base + quarter + i] = (float) Math.cos(r * omega);
                    v[base + 2 * quarter + i] = (float) Math.sin(c * omega);
                    v[base + 3 * quarter + i] = (float) Math.cos(c * omega);
                }
            }
        }
        return v;
    }
}
