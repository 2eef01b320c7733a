package io.visionstream.training;

import io.visionstream.inference.vit.GlobalPool;
import java.nio.file.Path;
import java.util.List;

/** Training configurations small enough for unit tests. */
final class TinyConfigs {

    private TinyConfigs() {}

    /**
     * A ViT on 32x32 scenes of 3 shapes (patch 8, width 16, depth 4, 2 heads, an 8-channel head) at a
     * constant learning rate, so that step 1 does not depend on the run length; data seed 1, held-out seed 2,
     * evaluated at the end on 8 images.
     */
    static TrainConfig constantRate(Path out, int steps, int batchSize, Recipe recipe) {
        return new TrainConfig(
                out,
                steps,
                batchSize,
                5e-3,
                5e-3,
                0.05,
                0,
                32,
                8,
                16,
                4,
                2,
                8,
                3,
                1,
                2,
                0,
                8,
                null,
                1.0,
                1.0,
                1.0,
                GlobalPool.TOKEN,
                PosEmbedInit.NORMAL,
                List.of(),
                Family.VIT,
                List.of(),
                0,
                recipe);
    }
}
