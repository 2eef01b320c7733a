package io.visionstream.inference.vit;

import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.Map;

/**
 * Base of the ViT blocks: adds timm-style parameter naming on top of DJL's {@link AbstractBlock}.
 *
 * <p>DJL prefixes child names with a counter ({@code "01patch_embed"}); {@link #collectTimmParameters}
 * strips it so that the path of every parameter is exactly timm's state-dict key.
 */
abstract class TimmBlock extends AbstractBlock {

    TimmBlock() {
        super((byte) 1);
    }

    /** Adds this block's parameters to {@code out} under {@code prefix + name}, children recursively. */
    void collectTimmParameters(String prefix, Map<String, Parameter> out) {
        for (Parameter p : parameters.values()) {
            out.put(prefix + p.getName(), p);
        }
        for (Pair<String, Block> child : children) {
            String name = child.getKey().replaceFirst("^\\d+", "");
            if (!(child.getValue() instanceof TimmBlock timm)) {
                throw new IllegalStateException("child " + name + " is not a TimmBlock");
            }
            timm.collectTimmParameters(prefix + name + ".", out);
        }
    }
}
