package io.visionstream.inference.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/** Position-embedding utilities mirroring timm's {@code timm.layers.pos_embed}. */
public final class PosEmbed {

    /** DJL's code for bicubic in {@code NDArrayEx.interpolation} (libtorch kBicubic, antialiased). */
    private static final int BICUBIC = 3;

    private PosEmbed() {}

    /**
     * timm's {@code resample_abs_pos_embed(posemb, new_size, old_size, num_prefix_tokens)} with its
     * defaults: prefix tokens kept as they are, the grid reshaped to {@code [1, D, oldH, oldW]}, resized
     * bicubically with antialias and {@code align_corners=False}, and flattened back.
     *
     * @param posEmbed {@code [1, prefix + oldH*oldW, D]}
     * @return {@code [1, prefix + newH*newW, D]} in float32, attached to {@code posEmbed}'s manager;
     *     {@code posEmbed} itself when the grid is unchanged
     * @throws IllegalArgumentException when the token count does not match {@code prefix + oldH*oldW}
     */
    public static NDArray resample(NDArray posEmbed, int numPrefixTokens, int oldH, int oldW, int newH, int newW) {
        long tokens = posEmbed.getShape().get(1);
        long dim = posEmbed.getShape().get(2);
        if (tokens != numPrefixTokens + (long) oldH * oldW) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "pos_embed has %d tokens, expected %d prefix + %dx%d grid",
                    tokens,
                    numPrefixTokens,
                    oldH,
                    oldW));
        }
        if (oldH == newH && oldW == newW) {
            return posEmbed;
        }
        NDArray prefix = posEmbed.get(new NDIndex(":, :{}", numPrefixTokens));
        // posemb.reshape(1, old_size[0], old_size[1], -1).permute(0, 3, 1, 2)
        NDArray grid = posEmbed.get(new NDIndex(":, {}:", numPrefixTokens))
                .toType(DataType.FLOAT32, false)
                .reshape(1, oldH, oldW, dim)
                .transpose(0, 3, 1, 2);
        // F.interpolate(posemb, size=new_size, mode='bicubic', antialias=True)
        NDArray resized = grid.getNDArrayInternal().interpolation(new long[] {newH, newW}, BICUBIC, false);
        // posemb.permute(0, 2, 3, 1).reshape(1, -1, embed_dim)
        NDArray flat = resized.transpose(0, 2, 3, 1).reshape(1, (long) newH * newW, dim);
        return NDArrays.concat(new NDList(prefix.toType(DataType.FLOAT32, false), flat), 1);
    }
}
