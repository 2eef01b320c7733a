package io.visionstream.inference.architectures;

import io.visionstream.inference.backbone.BackboneFamily;
import io.visionstream.inference.backbone.ModelArgs;
import io.visionstream.inference.hybrid.HybridArchitecture;
import io.visionstream.inference.hybrid.HybridArchitectures;
import io.visionstream.inference.hybrid.ResNetEmbed;
import io.visionstream.inference.resnetv2.ResNetV2Config;
import io.visionstream.inference.vit.VitConfig;
import io.visionstream.inference.vit.VitKwargs;
import java.util.List;
import java.util.Set;

/**
 * timm's ResNetV2 hybrid ViTs ({@link HybridArchitectures}), with the ViT's keyword arguments ({@link
 * VitKwargs}; {@code patch_size} is the projection's patch on the backbone's map, 1 unless the name
 * says otherwise) and our extension {@code backbone_args} ({@code layers}, {@code channels}, {@code
 * stem_chs}, {@code bottle_ratio}), which reshapes the ResNetV2 that timm fixes per name.
 */
final class HybridFamily implements BackboneFamily {

    @Override
    public String name() {
        return "hybrid";
    }

    @Override
    public Set<String> architectures() {
        return HybridArchitectures.names();
    }

    @Override
    public VitConfig configure(String architecture, ModelArgs args) {
        HybridArchitecture a = HybridArchitectures.get(architecture);
        ResNetV2Config d = a.backbone();
        int inChans = args.intValue("in_chans", d.inChans());
        ModelArgs b = args.nested("backbone_args");
        List<Integer> layers = b.intList("layers", d.layers());
        List<Integer> channels = b.intList("channels", d.channels());
        int stem = b.intValue("stem_chs", d.stemChannels());
        double ratio = b.doubleValue("bottle_ratio", d.bottleRatio());
        ResNetEmbed embed = new ResNetEmbed(d);
        try {
            embed = new ResNetEmbed(new ResNetV2Config(layers, channels, stem, ratio, inChans));
        } catch (IllegalArgumentException e) {
            args.problem(args.label("backbone_args") + ": " + e.getMessage());
        }
        // the ViT's arguments are read even after a problem above, so that unknown keys are reported too
        return VitKwargs.apply(a.defaults(), args, embed);
    }
}
