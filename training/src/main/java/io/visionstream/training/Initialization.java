package io.visionstream.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.visionstream.inference.heads.UperNetHead;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The from-scratch initialisation policy, decided by checkpoint name and shape and drawn from a seeded
 * Java generator (so a seed gives the same start on any engine):
 *
 * <ul>
 *   <li>backbone, as timm's {@code init_weights_vit_timm}: Linear weights truncated normal (std 0.02,
 *       cut at 2 std), {@code pos_embed} and {@code dist_token} likewise, {@code cls_token} normal std
 *       1e-6, patch-embedding conv uniform in {@code +-1/sqrt(fan_in)} (PyTorch's conv default),
 *       biases 0, LayerNorm weight 1;
 *   <li>a Swin backbone by the same rules, which are timm's {@code SwinTransformer.init_weights} (it
 *       applies {@code init_weights_vit_timm}): Linear weights ({@code qkv}, {@code proj}, {@code mlp},
 *       {@code downsample.reduction}, {@code head.fc}) truncated normal std 0.02, each {@code
 *       relative_position_bias_table} (and an {@code absolute_pos_embed}) likewise, as {@code
 *       WindowAttention} draws it, the patch-embedding conv as above, biases 0, every LayerNorm ({@code
 *       patch_embed.norm}, {@code norm1}, {@code norm2}, {@code downsample.norm}, mmseg's stage norms
 *       {@code norm0 ..}) weight 1;
 *   <li>dense head, as mmseg's ConvModule: convolutions Kaiming-normal for ReLU with fan-in {@code
 *       Cin * k * k}; the 2x2 stride-2 transposed convolutions of the neck ({@code [Cin, Cout, 2, 2]})
 *       with fan-in {@code Cin}, since each output pixel reads one input pixel (DJL's Xavier would take
 *       {@code Cout} as fan-in from axis 1); {@code conv_seg} normal std 0.01; biases 0; batch norm
 *       weight 1, bias 0, running mean 0, running variance 1.
 * </ul>
 *
 * Stateless.
 */
public final class Initialization {

    private Initialization() {}

    /**
     * Overwrites every parameter of {@code parameters} (already allocated) with fresh values.
     *
     * @param parameters checkpoint name to parameter, e.g. {@code VisionModel.checkpointParameters()}
     * @param seed generator seed
     */
    public static void apply(Map<String, Parameter> parameters, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        parameters.forEach((name, p) -> replace(p, values(name, p.getShape(), random)));
    }

    /**
     * Same, then gives {@code pos_embed} ({@code [1, prefix + rows * cols, D]}) the start {@code
     * posEmbed} asks for.
     *
     * @param gridRows patch rows of the position grid
     * @param gridCols patch columns
     * @throws IllegalArgumentException if the position embedding does not fit the grid
     */
    public static void apply(
            Map<String, Parameter> parameters, long seed, PosEmbedInit posEmbed, int gridRows, int gridCols) {
        apply(parameters, seed);
        Parameter pos = parameters.get("pos_embed");
        if (posEmbed == PosEmbedInit.SINCOS && pos != null) {
            Shape shape = pos.getShape();
            int prefix = Math.toIntExact(shape.get(1)) - gridRows * gridCols;
            if (shape.dimension() != 3 || prefix < 0) {
                throw new IllegalArgumentException(
                        "pos_embed " + shape + " does not fit a " + gridRows + "x" + gridCols + " grid");
            }
            replace(pos, PosEmbedInit.sincos(prefix, gridRows, gridCols, Math.toIntExact(shape.get(2))));
        }
    }

    /**
     * Gives {@code p} new values in storage that libtorch owns. {@code NDArray.set(Buffer)} would instead
     * point the tensor at a Java direct buffer (libtorch's {@code set_} on a {@code from_blob} storage),
     * whose lifetime then hangs on one Java object.
     */
    static void replace(Parameter p, float[] values) {
        NDArray current = p.getArray();
        try (NDArray staged = current.getManager().create(values, p.getShape())) {
            current.intern(staged.duplicate());
        }
        current.setRequiresGradient(p.requiresGradient());
    }

    static float[] values(String name, Shape shape, SplittableRandom random) {
        int n = Math.toIntExact(shape.size());
        float[] v = new float[n];
        boolean head = name.startsWith(UperNetHead.PREFIX);
        if (name.endsWith("running_var")) {
            Arrays.fill(v, 1f);
        } else if (name.endsWith("running_mean") || name.endsWith(".bias")) {
            return v;
        } else if (name.equals("cls_token")) {
            normal(v, 1e-6, random, false);
        } else if (name.equals("pos_embed")
                || name.equals("dist_token")
                || name.equals("absolute_pos_embed")
                || name.endsWith(".relative_position_bias_table")) {
            // timm: trunc_normal_(self.pos_embed, std=.02); trunc_normal_(self.relative_position_bias_table, std=.02)
            normal(v, 0.02, random, true);
        } else if (shape.dimension() == 1) {
            Arrays.fill(v, 1f); // LayerNorm / BatchNorm weight
        } else if (shape.dimension() == 2) {
            normal(v, 0.02, random, true);
        } else if (shape.dimension() == 4 && !head) {
            double bound = 1 / Math.sqrt((double) shape.get(1) * shape.get(2) * shape.get(3));
            for (int i = 0; i < n; i++) {
                v[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
        } else if (shape.dimension() == 4 && name.endsWith("conv_seg.weight")) {
            normal(v, 0.01, random, false);
        } else if (shape.dimension() == 4 && name.contains(".neck.")) {
            normal(v, Math.sqrt(2.0 / shape.get(0)), random, false);
        } else if (shape.dimension() == 4) {
            normal(v, Math.sqrt(2.0 / (shape.get(1) * shape.get(2) * shape.get(3))), random, false);
        } else {
            throw new IllegalArgumentException("no initialisation rule for " + name + " " + shape);
        }
        return v;
    }

    private static void normal(float[] v, double std, SplittableRandom random, boolean truncated) {
        for (int i = 0; i < v.length; i++) {
            double z;
            do {
                z = gaussian(random);
            } while (truncated && Math.abs(z) > 2);
            v[i] = (float) (z * std);
        }
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller; SplittableRandom has no nextGaussian in Java 17
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
