package io.visionstream.inference.architectures;

import io.visionstream.inference.backbone.BackboneFamily;
import io.visionstream.inference.backbone.ModelArgs;
import io.visionstream.inference.swin.SwinArchitectures;
import io.visionstream.inference.swin.SwinConfig;
import java.util.Set;

/**
 * timm's Swin v1 names ({@link SwinArchitectures}), with the keyword arguments of timm's {@code
 * SwinTransformer}: {@code img_size} (one integer or {@code [h, w]}), {@code patch_size}, {@code
 * in_chans}, {@code num_classes}, {@code embed_dim}, {@code depths}, {@code num_heads}, {@code
 * window_size} (square), {@code mlp_ratio}, {@code drop_path_rate}; {@code global_pool} only {@code avg}
 * and {@code qkv_bias} only true, as the model implements them; dropout rates are accepted and have no
 * effect (the model has no dropout).
 */
final class SwinFamily implements BackboneFamily {

    @Override
    public String name() {
        return "swin";
    }

    @Override
    public Set<String> architectures() {
        return SwinArchitectures.names();
    }

    @Override
    public SwinConfig configure(String architecture, ModelArgs args) {
        SwinConfig d = SwinArchitectures.get(architecture);
        int[] size = args.intPair("img_size", d.imgHeight(), d.imgWidth());
        int patch = args.intValue("patch_size", d.patchSize());
        int chans = args.intValue("in_chans", d.inChans());
        int classes = args.intValue("num_classes", d.numClasses());
        int dim = args.intValue("embed_dim", d.embedDim());
        var depths = args.intList("depths", d.depths());
        var heads = args.intList("num_heads", d.numHeads());
        int[] window = args.intPair("window_size", d.windowSize(), d.windowSize());
        if (window[0] != window[1]) {
            args.problem(args.show("window_size") + " is not supported (square windows only)");
        }
        double mlpRatio = args.doubleValue("mlp_ratio", d.mlpRatio());
        double dropPath = args.doubleValue("drop_path_rate", d.dropPathRate());
        args.requireValue("global_pool", "avg"::equals, "only avg");
        args.requireValue("qkv_bias", Boolean.TRUE::equals, "only true");
        args.ignore("drop_rate", "proj_drop_rate", "attn_drop_rate");
        if (!args.problems().isEmpty()) {
            return null; // a combination check over substituted defaults would only confuse
        }
        return new SwinConfig(
                size[0], size[1], patch, chans, classes, dim, depths, heads, window[0], mlpRatio, dropPath);
    }
}
