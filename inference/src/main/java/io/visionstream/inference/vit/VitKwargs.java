package io.visionstream.inference.vit;

import io.visionstream.inference.backbone.ModelArgs;
import java.util.Objects;

/**
 * The keyword arguments of timm's {@code VisionTransformer} that this model implements, read from
 * {@link ModelArgs} over an architecture's defaults; shared by the ViT and the hybrid families.
 * Stateless.
 */
public final class VitKwargs {

    private VitKwargs() {}

    /**
     * {@code defaults} with every ViT argument of {@code args} applied: {@code img_size} (an integer or
     * {@code [h, w]}), {@code patch_size}, {@code in_chans}, {@code num_classes}, {@code embed_dim},
     * {@code depth}, {@code num_heads}, {@code mlp_ratio}, {@code qkv_bias}, {@code global_pool}, {@code
     * fc_norm} (null: timm's rule, on for {@code avg}); timm options this model lacks are accepted at
     * their inactive values only ({@code class_token}, {@code final_norm}, {@code no_embed_class}, {@code
     * pre_norm}, {@code dynamic_img_size}, {@code dynamic_img_pad}, {@code reg_tokens}, {@code
     * init_values}); {@code drop_path_rate} (stochastic depth, training only) is kept; the other
     * training-only rates ({@code drop_rate}, ...) and {@code weight_init} are ignored.
     *
     * @param embed the embedding the family chose
     * @return the configuration, or null when {@code args} holds a problem (recorded here or before)
     * @throws IllegalArgumentException when the values do not fit together (from {@link VitConfig})
     */
    public static VitConfig apply(VitConfig defaults, ModelArgs args, EmbedLayer embed) {
        Objects.requireNonNull(embed, "embed");
        int[] size = args.intPair("img_size", defaults.imgHeight(), defaults.imgWidth());
        int[] patch = args.intPair("patch_size", defaults.patchSize(), defaults.patchSize());
        if (patch[0] != patch[1]) {
            args.problem(args.show("patch_size") + " is not supported (square patches only)");
        }
        int chans = args.intValue("in_chans", defaults.inChans());
        int classes = args.intValue("num_classes", defaults.numClasses());
        int dim = args.intValue("embed_dim", defaults.embedDim());
        int depth = args.intValue("depth", defaults.depth());
        int heads = args.intValue("num_heads", defaults.numHeads());
        double mlpRatio = args.doubleValue("mlp_ratio", defaults.mlpRatio());
        boolean qkvBias = args.booleanValue("qkv_bias", defaults.qkvBias());
        double dropPathRate = args.doubleValue("drop_path_rate", defaults.dropPathRate());
        GlobalPool pool = defaults.globalPool();
        boolean poolGiven = args.has("global_pool");
        if (poolGiven) {
            String name = args.stringValue("global_pool", pool.timmName());
            try {
                pool = GlobalPool.fromTimm(name);
            } catch (IllegalArgumentException e) {
                args.problem(args.show("global_pool") + " is not supported (token or avg)");
            }
        }
        Boolean fcNorm = args.optionalBoolean("fc_norm");
        args.requireValue("class_token", Boolean.TRUE::equals, "only true");
        args.requireValue("final_norm", Boolean.TRUE::equals, "only true");
        for (String off : new String[] {"no_embed_class", "pre_norm", "dynamic_img_size", "dynamic_img_pad"}) {
            args.requireValue(off, Boolean.FALSE::equals, "only false");
        }
        args.requireValue("reg_tokens", v -> v instanceof Number n && n.doubleValue() == 0, "only 0");
        args.requireValue("init_values", Objects::isNull, "only null");
        args.ignore("drop_rate", "pos_drop_rate", "patch_drop_rate", "proj_drop_rate", "attn_drop_rate", "weight_init");
        if (!args.problems().isEmpty()) {
            return null; // a combination check over substituted defaults would only confuse
        }
        boolean resolvedFcNorm = fcNorm != null ? fcNorm : (poolGiven ? pool == GlobalPool.AVG : defaults.fcNorm());
        return new VitConfig(
                size[0],
                size[1],
                patch[0],
                chans,
                classes,
                pool,
                dim,
                depth,
                heads,
                mlpRatio,
                qkvBias,
                resolvedFcNorm,
                defaults.distilled(),
                defaults.layerNormEps(),
                embed,
                dropPathRate);
    }
}
