package io.visionstream.training.recipe;

/**
 * RandAugment's colour ops on HWC 8-bit RGB with PIL's formulas ({@code ImageOps}, {@code ImageEnhance}),
 * which timm calls. Each returns a new array and never looks at a mask.
 */
final class ColorOps {

    private ColorOps() {}

    static byte[] apply(RandAugment.Op op, double argument, byte[] rgb, int width, int height) {
        switch (op) {
            case AUTO_CONTRAST:
                return lookup(rgb, autoContrastTables(rgb));
            case EQUALIZE:
                return lookup(rgb, equalizeTables(rgb));
            case INVERT:
                return lookup(rgb, same(i -> 255 - i));
            case POSTERIZE: {
                int bits = (int) argument;
                if (bits >= 8) {
                    return rgb.clone();
                }
                int keep = ~((1 << (8 - bits)) - 1);
                return lookup(rgb, same(i -> i & keep));
            }
            case SOLARIZE: {
                int threshold = (int) argument;
                return lookup(rgb, same(i -> i < threshold ? i : 255 - i));
            }
            case SOLARIZE_ADD: {
                int add = (int) argument;
                return lookup(rgb, same(i -> i < 128 ? Math.min(255, i + add) : i));
            }
            case COLOR:
                return blend(grey(rgb), rgb, argument);
            case CONTRAST:
                return blend(meanGrey(rgb), rgb, argument);
            case BRIGHTNESS:
                return blend(new byte[rgb.length], rgb, argument);
            case SHARPNESS:
                return blend(smooth(rgb, width, height), rgb, argument);
            default:
                throw new IllegalArgumentException(op + " is not a colour op");
        }
    }

    private static int[][] same(java.util.function.IntUnaryOperator f) {
        int[] table = new int[256];
        for (int i = 0; i < 256; i++) {
            table[i] = f.applyAsInt(i);
        }
        return new int[][] {table, table, table};
    }

    private static byte[] lookup(byte[] rgb, int[][] tables) {
        byte[] out = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            out[i] = (byte) tables[i % 3][rgb[i] & 0xFF];
        }
        return out;
    }

    private static int[][] histograms(byte[] rgb) {
        int[][] h = new int[3][256];
        for (int i = 0; i < rgb.length; i++) {
            h[i % 3][rgb[i] & 0xFF]++;
        }
        return h;
    }

    /** {@code ImageOps.autocontrast(img)}: per channel, stretch [lo, hi] to [0, 255]; flat channels unchanged. */
    private static int[][] autoContrastTables(byte[] rgb) {
        int[][] h = histograms(rgb);
        int[][] tables = new int[3][256];
        for (int c = 0; c < 3; c++) {
            int lo = 0;
            while (lo < 255 && h[c][lo] == 0) {
                lo++;
            }
            int hi = 255;
            while (hi > 0 && h[c][hi] == 0) {
                hi--;
            }
            for (int i = 0; i < 256; i++) {
                if (hi <= lo) {
                    tables[c][i] = i;
                } else {
                    double scale = 255.0 / (hi - lo);
                    int v = (int) (i * scale - lo * scale);
                    tables[c][i] = Math.max(0, Math.min(255, v));
                }
            }
        }
        return tables;
    }

    /** {@code ImageOps.equalize(img)}: PIL's per-channel histogram equalisation. */
    private static int[][] equalizeTables(byte[] rgb) {
        int[][] h = histograms(rgb);
        int[][] tables = new int[3][256];
        for (int c = 0; c < 3; c++) {
            int total = 0;
            int last = 0;
            int nonZero = 0;
            for (int i = 0; i < 256; i++) {
                if (h[c][i] > 0) {
                    total += h[c][i];
                    last = h[c][i];
                    nonZero++;
                }
            }
            int step = nonZero <= 1 ? 0 : (total - last) / 255;
            if (step == 0) {
                for (int i = 0; i < 256; i++) {
                    tables[c][i] = i;
                }
                continue;
            }
            int n = step / 2;
            for (int i = 0; i < 256; i++) {
                tables[c][i] = Math.min(255, n / step);
                n += h[c][i];
            }
        }
        return tables;
    }

    /** PIL's RGB to L: {@code (299 R + 587 G + 114 B) / 1000} in its 16-bit fixed point, rounded. */
    private static int luma(byte[] rgb, int p) {
        return ((rgb[p] & 0xFF) * 19595 + (rgb[p + 1] & 0xFF) * 38470 + (rgb[p + 2] & 0xFF) * 7471 + 0x8000) >> 16;
    }

    /** {@code img.convert("L").convert("RGB")}: the degenerate image of {@code ImageEnhance.Color}. */
    private static byte[] grey(byte[] rgb) {
        byte[] out = new byte[rgb.length];
        for (int p = 0; p < rgb.length; p += 3) {
            byte l = (byte) luma(rgb, p);
            out[p] = l;
            out[p + 1] = l;
            out[p + 2] = l;
        }
        return out;
    }

    /** {@code ImageEnhance.Contrast}'s degenerate: the whole image at {@code int(mean(L) + 0.5)}. */
    private static byte[] meanGrey(byte[] rgb) {
        long sum = 0;
        for (int p = 0; p < rgb.length; p += 3) {
            sum += luma(rgb, p);
        }
        byte mean = (byte) (int) ((double) sum / (rgb.length / 3) + 0.5);
        byte[] out = new byte[rgb.length];
        java.util.Arrays.fill(out, mean);
        return out;
    }

    /**
     * {@code ImageFilter.SMOOTH} (3x3 kernel {@code [1 1 1; 1 5 1; 1 1 1] / 13}), border pixels copied:
     * {@code ImageEnhance.Sharpness}'s degenerate.
     */
    private static byte[] smooth(byte[] rgb, int width, int height) {
        byte[] out = rgb.clone();
        for (int y = 1; y < height - 1; y++) {
            for (int x = 1; x < width - 1; x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int weight = dx == 0 && dy == 0 ? 5 : 1;
                            sum += weight * (rgb[3 * ((y + dy) * width + x + dx) + c] & 0xFF);
                        }
                    }
                    out[3 * (y * width + x) + c] = (byte) Math.min(255, (int) (sum / 13.0 + 0.5));
                }
            }
        }
        return out;
    }

    /**
     * {@code Image.blend(degenerate, img, factor)}: {@code degenerate + factor * (img - degenerate)},
     * clipped to [0, 255] and truncated as PIL's 8-bit blend does.
     */
    private static byte[] blend(byte[] degenerate, byte[] rgb, double factor) {
        byte[] out = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            int d = degenerate[i] & 0xFF;
            double v = d + factor * ((rgb[i] & 0xFF) - d);
            out[i] = (byte) (v <= 0 ? 0 : v >= 255 ? 255 : (int) v);
        }
        return out;
    }
}
