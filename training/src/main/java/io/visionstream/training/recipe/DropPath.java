package io.visionstream.training.recipe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Stochastic depth (Huang et al. 2016) as timm's {@code DropPath}: in training, each sample's residual
 * branch is kept with probability {@code keep = 1 - rate} and then scaled by {@code 1 / keep}, so its
 * expectation is unchanged; in evaluation it is the identity. A block applies it to its branch before
 * the residual sum: {@code x = x + dropPath(attn(norm1(x)))}.
 *
 * <p>The per-sample factors ({@code 0} or {@code 1 / keep}) are drawn in Java from the instance's
 * {@link SplittableRandom} and enter the graph as one libtorch-owned {@code [B, 1, ..., 1]} array, so a
 * run is reproducible from its seed and no Java-backed scalar is kept for the backward pass.
 *
 * <p>Not thread-safe (the random source advances on every training call); one instance per block, used
 * from the training thread.
 */
public final class DropPath {

    private final double rate;
    private final SplittableRandom random;

    /**
     * @param rate probability of dropping a sample's branch, in {@code [0, 1]}
     * @param random the source of the per-sample draws (e.g. one {@code split()} per block)
     * @throws IllegalArgumentException when {@code rate} is outside {@code [0, 1]}
     */
    public DropPath(double rate, SplittableRandom random) {
        this.rate = checkRate(rate);
        this.random = random;
    }

    /**
     * The per-block rates of a {@code depth}-block stack, rising linearly from 0 at the first block to
     * {@code rate} at the last ({@code torch.linspace(0, drop_path_rate, depth)} in timm's ViT).
     *
     * @throws IllegalArgumentException when {@code rate} is outside {@code [0, 1]} or {@code depth < 1}
     */
    public static double[] rates(double rate, int depth) {
        checkRate(rate);
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, got " + depth);
        }
        double[] out = new double[depth];
        for (int i = 0; i < depth; i++) {
            out[i] = depth == 1 ? 0 : rate * i / (depth - 1);
        }
        return out;
    }

    /**
     * One {@link DropPath} per block with the rates of {@link #rates}, each with its own split of {@code
     * random}.
     */
    public static DropPath[] forDepth(double rate, int depth, SplittableRandom random) {
        return Arrays.stream(rates(rate, depth))
                .mapToObj(r -> new DropPath(r, random.split()))
                .toArray(DropPath[]::new);
    }

    /** This block's drop probability. */
    public double rate() {
        return rate;
    }

    /**
     * Drops whole samples of {@code x} in training.
     *
     * @param x {@code [B, ...]}, a residual branch, usually part of the autograd graph
     * @param training false returns {@code x} itself
     * @return {@code x} when not training or the rate is 0; else {@code x * mask}, mask {@code [B, 1, ...]}
     *     with entries {@code 0} or {@code 1 / keep} (all 0 when the rate is 1), on {@code x}'s manager
     */
    public NDArray apply(NDArray x, boolean training) {
        if (rate == 0 || !training) {
            return x;
        }
        Shape shape = x.getShape();
        int b = Math.toIntExact(shape.get(0));
        double keep = 1 - rate;
        float scale = keep > 0 ? (float) (1 / keep) : 0f;
        float[] mask = new float[b];
        for (int i = 0; i < b; i++) {
            mask[i] = random.nextDouble() < keep ? scale : 0f;
        }
        long[] dims = new long[shape.dimension()];
        Arrays.fill(dims, 1);
        dims[0] = b;
        return x.mul(OwnedArrays.of(x.getManager(), mask, new Shape(dims)));
    }

    private static double checkRate(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("drop-path rate must be in [0, 1], got " + rate);
        }
        return rate;
    }

    @Override
    public String toString() {
        return "DropPath[rate=" + rate + "]";
    }
}
