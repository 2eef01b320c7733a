package io.visionstream.inference.resnetv2;

import java.util.List;

/**
 * The shape of a hybrid ResNetV2 backbone: blocks per stage, stage widths, stem width and bottleneck
 * ratio. The rest is fixed as timm's {@code _resnetv2} fixes it: 7x7/2 stem conv, SAME 3x3/2 max-pool,
 * {@link #NUM_GROUPS} groups with eps {@link #NORM_EPS}, weight-standardisation eps {@link
 * #STD_CONV_EPS}, stride 1 on the first stage and 2 on the others, output stride at most 32 (so never
 * dilated).
 *
 * @param layers blocks per stage, 0 to 4 stages; empty means the stem alone (timm's {@code layers=()})
 * @param channels output width of each stage; at least as many entries as stages, extra ones unused
 * @param stemChannels stem width
 * @param bottleRatio bottleneck width over output width, rounded as timm's {@code make_divisible}
 * @param inChans input channels
 */
public record ResNetV2Config(
        List<Integer> layers, List<Integer> channels, int stemChannels, double bottleRatio, int inChans) {

    /** Groups of every GroupNorm ({@code GroupNormAct(num_groups=32)}). */
    public static final int NUM_GROUPS = 32;
    /** GroupNorm eps (timm's {@code GroupNormAct} default). */
    public static final double NORM_EPS = 1e-5;
    /** Weight-standardisation eps ({@code partial(StdConv2dSame, eps=1e-8)}). */
    public static final double STD_CONV_EPS = 1e-8;

    /** timm's ResNetV2 defaults: widths 256, 512, 1024, 2048, stem 64, ratio 0.25, RGB. */
    public static final List<Integer> DEFAULT_CHANNELS = List.of(256, 512, 1024, 2048);

    /**
     * @throws IllegalArgumentException naming the offending field and value
     */
    public ResNetV2Config {
        if (layers == null || layers.size() > 4) {
            throw new IllegalArgumentException("backbone layers must list 0 to 4 stages, got " + layers);
        }
        layers = List.copyOf(layers);
        for (int depth : layers) {
            if (depth < 1) {
                throw new IllegalArgumentException("backbone layers must be positive block counts, got " + layers);
            }
        }
        if (channels == null || channels.size() < layers.size()) {
            throw new IllegalArgumentException("backbone channels must give a width for each of the " + layers.size()
                    + " stages, got " + channels);
        }
        channels = List.copyOf(channels);
        if (!(bottleRatio > 0)) {
            throw new IllegalArgumentException("backbone bottle_ratio must be positive, got " + bottleRatio);
        }
        if (inChans < 1) {
            throw new IllegalArgumentException("backbone in_chans must be positive, got " + inChans);
        }
        requireGroupable("stem_chs", stemChannels);
        for (int s = 0; s < layers.size(); s++) {
            requireGroupable("channels[" + s + "]", channels.get(s));
            requireGroupable(
                    "bottleneck width of stage " + s + " (make_divisible(" + channels.get(s) + " * " + bottleRatio
                            + "))",
                    makeDivisible(channels.get(s) * bottleRatio));
        }
    }

    /** The backbone of timm's {@code _resnetv2(layers)}: default widths, stem 64, ratio 0.25, RGB. */
    public static ResNetV2Config hybrid(Integer... layers) {
        return new ResNetV2Config(List.of(layers), DEFAULT_CHANNELS, 64, 0.25, 3);
    }

    /** Whether the backbone is the stem alone (timm's {@code create_resnetv2_stem}). */
    public boolean stemOnly() {
        return layers.isEmpty();
    }

    /** Channels of the backbone's output map. */
    public int featureChannels() {
        return stemOnly() ? stemChannels : channels.get(layers.size() - 1);
    }

    /** Bottleneck (mid) width of stage {@code s}. */
    public int midChannels(int s) {
        return makeDivisible(channels.get(s) * bottleRatio);
    }

    /** Total stride of the output map: 4 after the stem, doubled by every stage after the first. */
    public int reduction() {
        return 4 << Math.max(layers.size() - 1, 0);
    }

    /** Output map size along an axis of {@code inputSize} pixels: SAME halving, {@code ceil(size / 2)}. */
    public long featureSize(long inputSize) {
        long size = inputSize;
        int halvings = 2 + Math.max(layers.size() - 1, 0);
        for (int i = 0; i < halvings; i++) {
            size = (size + 1) / 2;
        }
        return size;
    }

    /**
     * Multiply-adds times two of the backbone's convolutions for one {@code height x width} image: the 7x7
     * stem, then each bottleneck's 1x1, 3x3 (carrying the stride), 1x1 and the first block's projection
     * shortcut, at the SAME-padded map sizes.
     */
    public double flopsPerImage(long height, long width) {
        long h = (height + 1) / 2;
        long w = (width + 1) / 2;
        double macs = (double) h * w * stemChannels * inChans * 49;
        h = (h + 1) / 2;
        w = (w + 1) / 2;
        int prev = stemChannels;
        for (int s = 0; s < layers.size(); s++) {
            int out = channels.get(s);
            int mid = midChannels(s);
            for (int b = 0; b < layers.get(s); b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                long oh = (h + stride - 1) / stride;
                long ow = (w + stride - 1) / stride;
                macs += (double) h * w * mid * prev; // conv1, 1x1 at the input size
                macs += (double) oh * ow * mid * mid * 9; // conv2, 3x3 with the stride
                macs += (double) oh * ow * out * mid; // conv3, 1x1
                if (b == 0) {
                    macs += (double) oh * ow * out * prev; // downsample, 1x1 with the stride
                }
                h = oh;
                w = ow;
                prev = out;
            }
        }
        return 2 * macs;
    }

    /** timm's {@code make_divisible(v, 8)}: nearest multiple of 8, at least 8, not below 90% of v. */
    static int makeDivisible(double v) {
        int divisor = 8;
        int rounded = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * v ? rounded + divisor : rounded;
    }

    private static void requireGroupable(String what, int c) {
        if (c <= 0 || c % NUM_GROUPS != 0) {
            throw new IllegalArgumentException("backbone " + what + " must be a positive multiple of " + NUM_GROUPS
                    + " (GroupNorm(32) groups), got " + c);
        }
    }
}
