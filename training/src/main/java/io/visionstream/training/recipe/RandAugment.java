package io.visionstream.training.recipe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * RandAugment (Cubuk et al. 2020) as timm's {@code rand_augment_transform} runs it, extended to a
 * per-pixel mask: {@code numOps} operations drawn with replacement from timm's default list, each applied
 * with probability {@code prob} at a magnitude drawn around {@code magnitude} (normal with {@code
 * magnitudeStd}, uniform in {@code [0, magnitude]} when the std is infinite, clipped to {@code [0,
 * magnitudeMax]}) and scaled to the op's argument by timm's level functions (out of 10).
 *
 * <p>Geometric ops (Rotate, ShearX/Y, TranslateX/YRel) move image and mask by the same inverse affine map
 * sampled at pixel centres, as PIL's {@code Image.transform}: the image bilinearly (timm picks bilinear or
 * bicubic at random; bilinear only here), the mask by nearest neighbour. A pixel whose source falls
 * outside the frame gets the fill colour (timm's {@code img_mean}, the normalisation mean in 8 bits) in the
 * image and {@link SoftTargets#IGNORE} in the mask, so the loss skips what was never observed rather than
 * calling it background. Colour ops (AutoContrast, Equalize, Invert, Posterize, Solarize, SolarizeAdd,
 * Color, Contrast, Brightness, Sharpness, with PIL's formulas) change the image only. All of timm's ops
 * keep the meaning of the synthetic classes, which are shapes of random colours: every class is invariant
 * under rotation and colour changes, and shear at magnitude 9 (0.27) keeps shapes recognisable. Since a
 * translation can push a shape out of view, {@link Augmented#label} recounts the image label.
 *
 * <p>Immutable and thread-safe; randomness comes only from the {@link SplittableRandom} passed in.
 */
public final class RandAugment {

    /** timm's magnitude scale: a magnitude of 10 is the op's full range. */
    static final double LEVEL_DENOM = 10;

    /** The ops of timm's {@code _RAND_TRANSFORMS}, in its order. */
    public enum Op {
        AUTO_CONTRAST("AutoContrast", false),
        EQUALIZE("Equalize", false),
        INVERT("Invert", false),
        ROTATE("Rotate", true),
        POSTERIZE("Posterize", false),
        SOLARIZE("Solarize", false),
        SOLARIZE_ADD("SolarizeAdd", false),
        COLOR("Color", false),
        CONTRAST("Contrast", false),
        BRIGHTNESS("Brightness", false),
        SHARPNESS("Sharpness", false),
        SHEAR_X("ShearX", true),
        SHEAR_Y("ShearY", true),
        TRANSLATE_X_REL("TranslateXRel", true),
        TRANSLATE_Y_REL("TranslateYRel", true);

        private final String timmName;
        private final boolean geometric;

        Op(String timmName, boolean geometric) {
            this.timmName = timmName;
            this.geometric = geometric;
        }

        /** The op's name in timm. */
        public String timmName() {
            return timmName;
        }

        /** Whether the op moves pixels (and so the mask). */
        public boolean geometric() {
            return geometric;
        }

        /** Whether timm's level function negates the argument with probability 1/2. */
        boolean signed() {
            return geometric;
        }

        /**
         * timm's level-to-argument function at a magnitude in {@code [0, magnitudeMax]} (before the random
         * sign): degrees for Rotate, bits for Posterize, a threshold or addend for the Solarize ops, an
         * enhancement factor for Color, Contrast, Brightness and Sharpness, a shear factor, a fraction of
         * the image for the translations; NaN for the ops without argument.
         */
        double argument(double magnitude) {
            double level = magnitude / LEVEL_DENOM;
            switch (this) {
                case ROTATE:
                    return level * 30;
                case POSTERIZE:
                    return (int) (level * 4);
                case SOLARIZE:
                    return Math.min(256, (int) (level * 256));
                case SOLARIZE_ADD:
                    return Math.min(128, (int) (level * 110));
                case COLOR:
                case CONTRAST:
                case BRIGHTNESS:
                case SHARPNESS:
                    return level * 1.8 + 0.1;
                case SHEAR_X:
                case SHEAR_Y:
                    return level * 0.3;
                case TRANSLATE_X_REL:
                case TRANSLATE_Y_REL:
                    return level * 0.45;
                default:
                    return Double.NaN;
            }
        }
    }

    /**
     * The options of a timm RandAugment string.
     *
     * @param numOps ops applied per image ({@code n}, timm's default 2)
     * @param magnitude magnitude in timm's 0..10 scale ({@code m}, default 10)
     * @param magnitudeStd std of the magnitude noise ({@code mstd}, default 0; infinite for uniform)
     * @param magnitudeMax upper clip of the drawn magnitude ({@code mmax}, default 10)
     * @param prob probability of applying each drawn op ({@code p}, default 0.5)
     */
    public record Config(int numOps, double magnitude, double magnitudeStd, double magnitudeMax, double prob) {

        /** @throws IllegalArgumentException naming the offending option */
        public Config {
            if (numOps < 0) {
                throw new IllegalArgumentException("rand-augment n must be >= 0, got " + numOps);
            }
            if (!(magnitude >= 0) || Double.isInfinite(magnitude)) {
                throw new IllegalArgumentException("rand-augment m must be >= 0, got " + magnitude);
            }
            if (!(magnitudeStd >= 0)) {
                throw new IllegalArgumentException("rand-augment mstd must be >= 0, got " + magnitudeStd);
            }
            if (!(magnitudeMax > 0) || Double.isInfinite(magnitudeMax)) {
                throw new IllegalArgumentException("rand-augment mmax must be > 0, got " + magnitudeMax);
            }
            if (!(prob >= 0 && prob <= 1)) {
                throw new IllegalArgumentException("rand-augment p must be in [0, 1], got " + prob);
            }
        }

        /**
         * Parses timm's string, with or without its {@code rand-} prefix: dash-separated sections {@code
         * m<int>}, {@code n<int>}, {@code p<float>}, {@code mstd<float>} (above 100 means uniform, as in
         * timm), {@code mmax<int>}. {@code rand-m9-mstd0.5} is magnitude 9, std 0.5, 2 ops, p 0.5.
         *
         * @throws IllegalArgumentException naming a section that is unknown or malformed
         */
        public static Config parse(String spec) {
            Objects.requireNonNull(spec, "rand-augment");
            String body = spec.startsWith("rand-") ? spec.substring(5) : spec.equals("rand") ? "" : spec;
            int numOps = 2;
            double magnitude = LEVEL_DENOM;
            double std = 0;
            double max = LEVEL_DENOM;
            double prob = 0.5;
            for (String section : body.isEmpty() ? new String[0] : body.split("-")) {
                try {
                    if (section.startsWith("mstd")) {
                        std = Double.parseDouble(section.substring(4));
                        if (std > 100) {
                            std = Double.POSITIVE_INFINITY;
                        }
                    } else if (section.startsWith("mmax")) {
                        max = Integer.parseInt(section.substring(4));
                    } else if (section.startsWith("m")) {
                        magnitude = Integer.parseInt(section.substring(1));
                    } else if (section.startsWith("n")) {
                        numOps = Integer.parseInt(section.substring(1));
                    } else if (section.startsWith("p")) {
                        prob = Double.parseDouble(section.substring(1));
                    } else {
                        throw new IllegalArgumentException("rand-augment '" + spec + "': unknown section '" + section
                                + "' (known: m, n, p, mstd, mmax)");
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "rand-augment '" + spec + "': section '" + section + "' has no valid number", e);
                }
            }
            return new Config(numOps, magnitude, std, max, prob);
        }
    }

    /**
     * An augmented image and its mask.
     *
     * @param rgb HWC 8-bit RGB, a new array
     * @param mask class per pixel, row-major, 0..K or {@link SoftTargets#IGNORE}, a new array
     * @param width W
     * @param height H
     */
    public record Augmented(byte[] rgb, int[] mask, int width, int height) {

        /**
         * The image label recounted from the mask by the synthetic scenes' rule: the class 1..K with the
         * most pixels, ties to the lower class, 0 when no shape pixel is left; ignored pixels do not count.
         */
        public int label(int numClasses) {
            int[] counts = new int[numClasses + 1];
            for (int m : mask) {
                if (m >= 1 && m <= numClasses) {
                    counts[m]++;
                }
            }
            int best = 0;
            for (int c = 1; c <= numClasses; c++) {
                if (counts[c] > 0 && (best == 0 || counts[c] > counts[best])) {
                    best = c;
                }
            }
            return best;
        }
    }

    private final Config config;
    private final List<Op> ops;
    private final int[] fill;

    /**
     * @param config the options
     * @param ops the ops to draw from (timm's list: {@code List.of(Op.values())})
     * @param fillRgb image fill for pixels from outside the frame, three values in {@code [0, 255]}
     * @throws IllegalArgumentException when {@code ops} is empty or the fill is not an RGB triple
     */
    public RandAugment(Config config, List<Op> ops, int[] fillRgb) {
        this.config = Objects.requireNonNull(config, "config");
        this.ops = List.copyOf(ops);
        if (this.ops.isEmpty()) {
            throw new IllegalArgumentException("rand-augment needs at least one op");
        }
        if (fillRgb == null || fillRgb.length != 3 || Arrays.stream(fillRgb).anyMatch(v -> v < 0 || v > 255)) {
            throw new IllegalArgumentException(
                    "rand-augment fill must be 3 values in [0, 255], got " + Arrays.toString(fillRgb));
        }
        this.fill = fillRgb.clone();
    }

    /**
     * timm's setup: its op list, the options of {@code spec}, and the fill {@code round(255 * mean)} that
     * timm's {@code create_transform} derives from the normalisation mean.
     *
     * @param spec e.g. {@code rand-m9-mstd0.5} or {@code m9-mstd0.5}
     * @param mean the per-channel normalisation mean in {@code [0, 1]}, RGB
     */
    public static RandAugment of(String spec, double[] mean) {
        if (mean == null || mean.length != 3) {
            throw new IllegalArgumentException("mean must have 3 channels, got " + Arrays.toString(mean));
        }
        int[] fill = new int[3];
        for (int c = 0; c < 3; c++) {
            fill[c] = (int) Math.min(255, Math.round(255 * mean[c]));
        }
        return new RandAugment(Config.parse(spec), List.of(Op.values()), fill);
    }

    /** The options. */
    public Config config() {
        return config;
    }

    /**
     * Augments one image and its mask; the inputs are not modified.
     *
     * @param rgb HWC 8-bit RGB, {@code 3 * width * height} bytes
     * @param mask class per pixel as unsigned bytes, {@code width * height}
     * @throws IllegalArgumentException when the arrays do not fit the size
     */
    public Augmented apply(byte[] rgb, byte[] mask, int width, int height, SplittableRandom random) {
        if (width <= 0 || height <= 0 || rgb.length != 3 * width * height || mask.length != width * height) {
            throw new IllegalArgumentException("image (" + rgb.length + " bytes) and mask (" + mask.length
                    + ") do not fit " + width + "x" + height);
        }
        int[] m = new int[mask.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = mask[i] & 0xFF;
        }
        Augmented out = new Augmented(rgb.clone(), m, width, height);
        for (int i = 0; i < config.numOps(); i++) {
            Op op = ops.get(random.nextInt(ops.size()));
            if (config.prob() < 1 && random.nextDouble() > config.prob()) {
                continue;
            }
            double magnitude = config.magnitude();
            if (Double.isInfinite(config.magnitudeStd())) {
                magnitude = random.nextDouble() * magnitude;
            } else if (config.magnitudeStd() > 0) {
                magnitude = magnitude + config.magnitudeStd() * random.nextGaussian();
            }
            magnitude = Math.max(0, Math.min(magnitude, config.magnitudeMax()));
            double argument = op.argument(magnitude);
            if (op.signed() && random.nextDouble() > 0.5) {
                argument = -argument;
            }
            out = applyOp(op, argument, out);
        }
        return out;
    }

    /** Applies one op with its argument (after level scaling and sign). */
    Augmented applyOp(Op op, double argument, Augmented in) {
        int w = in.width();
        int h = in.height();
        switch (op) {
            case ROTATE:
                return rotate(in, argument);
            case SHEAR_X:
                return affine(in, 1, argument, 0, 0, 1, 0); // (1, factor, 0, 0, 1, 0)
            case SHEAR_Y:
                return affine(in, 1, 0, 0, argument, 1, 0); // (1, 0, 0, factor, 1, 0)
            case TRANSLATE_X_REL:
                return affine(in, 1, 0, argument * w, 0, 1, 0); // pixels = pct * img.size[0]
            case TRANSLATE_Y_REL:
                return affine(in, 1, 0, 0, 0, 1, argument * h); // pixels = pct * img.size[1]
            default:
                return new Augmented(ColorOps.apply(op, argument, in.rgb(), w, h), in.mask(), w, h);
        }
    }

    /**
     * PIL's {@code Image.rotate(degrees)}: counter-clockwise about the centre {@code (W/2, H/2)}, same size;
     * the matrix entries rounded to 15 decimals as PIL does, so quarter turns are exact.
     */
    private Augmented rotate(Augmented in, double degrees) {
        double angle = -Math.toRadians(degrees);
        double a = round15(Math.cos(angle));
        double b = round15(Math.sin(angle));
        double d = round15(-Math.sin(angle));
        double e = round15(Math.cos(angle));
        double cx = in.width() / 2.0;
        double cy = in.height() / 2.0;
        double c = a * -cx + b * -cy + cx;
        double f = d * -cx + e * -cy + cy;
        return affine(in, a, b, c, d, e, f);
    }

    private static double round15(double v) {
        return Math.round(v * 1e15) / 1e15;
    }

    /**
     * PIL's {@code Image.transform(AFFINE, (a, b, c, d, e, f))}: output pixel {@code (x, y)} reads the input
     * at {@code (a X + b Y + c, d X + e Y + f)}, {@code X = x + 0.5, Y = y + 0.5}. One inside-the-frame test
     * decides for image and mask alike.
     */
    private Augmented affine(Augmented in, double a, double b, double c, double d, double e, double f) {
        int w = in.width();
        int h = in.height();
        byte[] src = in.rgb();
        int[] srcMask = in.mask();
        byte[] rgb = new byte[src.length];
        int[] mask = new int[srcMask.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double u = a * (x + 0.5) + b * (y + 0.5) + c;
                double v = d * (x + 0.5) + e * (y + 0.5) + f;
                int o = y * w + x;
                if (!(u >= 0 && u < w && v >= 0 && v < h)) {
                    mask[o] = SoftTargets.IGNORE;
                    for (int ch = 0; ch < 3; ch++) {
                        rgb[3 * o + ch] = (byte) fill[ch];
                    }
                    continue;
                }
                mask[o] = srcMask[(int) v * w + (int) u];
                // bilinear between pixel centres, neighbours clamped at the border
                double sx = u - 0.5;
                double sy = v - 0.5;
                int x0 = (int) Math.floor(sx);
                int y0 = (int) Math.floor(sy);
                double fx = sx - x0;
                double fy = sy - y0;
                int xa = Math.max(0, x0);
                int xb = Math.min(w - 1, x0 + 1);
                int ya = Math.max(0, y0);
                int yb = Math.min(h - 1, y0 + 1);
                for (int ch = 0; ch < 3; ch++) {
                    double top =
                            (1 - fx) * (src[3 * (ya * w + xa) + ch] & 0xFF) + fx * (src[3 * (ya * w + xb) + ch] & 0xFF);
                    double bottom =
                            (1 - fx) * (src[3 * (yb * w + xa) + ch] & 0xFF) + fx * (src[3 * (yb * w + xb) + ch] & 0xFF);
                    rgb[3 * o + ch] = (byte) Math.min(255, (int) ((1 - fy) * top + fy * bottom + 0.5));
                }
            }
        }
        return new Augmented(rgb, mask, w, h);
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        ops.forEach(op -> names.add(op.timmName()));
        return String.format(
                Locale.ROOT,
                "RandAugment[n=%d, m=%s, mstd=%s, mmax=%s, p=%s, ops=%s]",
                config.numOps(),
                config.magnitude(),
                config.magnitudeStd(),
                config.magnitudeMax(),
                config.prob(),
                names);
    }
}
