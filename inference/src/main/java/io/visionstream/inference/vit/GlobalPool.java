package io.visionstream.inference.vit;

import java.util.Arrays;
import java.util.Locale;

/** How the token sequence {@code [B, N, D]} is reduced to one feature vector {@code [B, D]}. */
public enum GlobalPool {
    /** timm {@code global_pool='token'}: the [CLS] token, {@code x[:, 0]}. */
    TOKEN("token"),
    /** timm {@code global_pool='avg'}: mean of the patch tokens, {@code x[:, num_prefix_tokens:].mean(1)}. */
    AVG("avg");

    private final String timmName;

    GlobalPool(String timmName) {
        this.timmName = timmName;
    }

    /** The value timm writes in {@code config.json} and takes as {@code global_pool}. */
    public String timmName() {
        return timmName;
    }

    /**
     * Parses timm's {@code global_pool} value.
     *
     * @throws IllegalArgumentException for a value other than "token" or "avg", naming it
     */
    public static GlobalPool fromTimm(String value) {
        for (GlobalPool pool : values()) {
            if (pool.timmName.equals(value)) {
                return pool;
            }
        }
        throw new IllegalArgumentException(String.format(
                Locale.ROOT,
                "global_pool='%s' is not supported; supported: %s",
                value,
                Arrays.stream(values()).map(GlobalPool::timmName).toList()));
    }
}
