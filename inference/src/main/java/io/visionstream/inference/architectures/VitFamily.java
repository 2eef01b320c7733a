package io.visionstream.inference.architectures;

import io.visionstream.inference.backbone.BackboneFamily;
import io.visionstream.inference.backbone.ModelArgs;
import io.visionstream.inference.hybrid.ConvStemEmbed;
import io.visionstream.inference.vit.EmbedLayer;
import io.visionstream.inference.vit.VitArchitectures;
import io.visionstream.inference.vit.VitConfig;
import io.visionstream.inference.vit.VitKwargs;
import java.util.List;
import java.util.Set;

/**
 * timm's ViT and DeiT names ({@link VitArchitectures}), with the ViT's keyword arguments ({@link
 * VitKwargs}) and our extension {@code stem: "conv"} + {@code stem_channels}, which replaces the patch
 * embedding by Xiao et al.'s convolutional stem ({@link ConvStemEmbed}; {@code patch_size} must then be
 * its stride {@code 2^len(stem_channels)}).
 */
final class VitFamily implements BackboneFamily {

    @Override
    public String name() {
        return "vit";
    }

    @Override
    public Set<String> architectures() {
        return VitArchitectures.names();
    }

    @Override
    public VitConfig configure(String architecture, ModelArgs args) {
        String stem = args.stringValue("stem", "patch");
        List<Integer> stemChannels = args.intList("stem_channels", null);
        EmbedLayer embed = EmbedLayer.PATCH;
        if (stem.equals("conv")) {
            if (stemChannels == null) {
                args.problem(args.show("stem") + " needs model_args.stem_channels");
            } else {
                try {
                    embed = new ConvStemEmbed(stemChannels);
                } catch (IllegalArgumentException e) {
                    args.problem(args.show("stem_channels") + " is not supported (one or more positive widths)");
                }
            }
        } else if (!stem.equals("patch")) {
            args.problem(args.show("stem") + " is not supported (patch or conv)");
        } else if (stemChannels != null) {
            args.problem(args.show("stem_channels") + " needs model_args.stem=\"conv\"");
        }
        return VitKwargs.apply(VitArchitectures.get(architecture), args, embed);
    }
}
