package io.visionstream.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.inference.vit.VitConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Runs 202,240 images through the engine and watches the process's anonymous resident memory outside the
 * committed Java heap: a batch whose native arrays outlived it would show up as growth far above the bound.
 * The heap is left out because the JVM grows it with the garbage of every batch's Java arrays, more readily
 * on a machine with more memory and when collections run late under load, and that is not a native leak.
 */
class EngineSoakIT {

    private static final int BATCH = 256;
    private static final int WARMUP_BATCHES = 50;
    private static final int MEASURED_BATCHES = 740;
    private static final long BOUND_BYTES = 48L << 20;

    @Test
    void residentMemoryStaysFlatOverTwoHundredThousandImages() throws IOException {
        VitConfig config = VitConfig.of(32, 8, 32, 1, 2, 10);
        // What one leaked batch would keep, at the least: each block's MLP hidden activation
        // [B, N+1, 4D] in float32 (the qkv, attention and residual tensors come on top).
        long leakPerBatch = (long) config.depth()
                * BATCH
                * (config.numPatches() + config.numPrefixTokens())
                * config.mlpHiddenDim()
                * Float.BYTES;
        assertThat(BOUND_BYTES)
                .as("the bound must be far below what a per-batch leak would add over the run")
                .isLessThan(leakPerBatch * MEASURED_BATCHES / 20);

        float[] images = new float[BATCH * 3 * 32 * 32];
        Random random = new Random(42);
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) random.nextGaussian();
        }
        try (DjlEngine engine = DjlEngine.withRandomWeights(
                "soak", config, EngineOptions.defaults().withDevice("cpu"), 5)) {
            for (int i = 0; i < WARMUP_BATCHES; i++) {
                engine.infer(images, BATCH);
            }
            long start = System.nanoTime();
            long base = nativeBytes();
            long max = base;
            List<Long> samplesMiB = new ArrayList<>();
            for (int i = 1; i <= MEASURED_BATCHES; i++) {
                BatchResult r = engine.infer(images, BATCH);
                assertThat(r.size()).isEqualTo(BATCH);
                if (i % 50 == 0) {
                    long rss = nativeBytes();
                    max = Math.max(max, rss);
                    samplesMiB.add(rss >> 20);
                    // stop early on a leak rather than take the shared machine's memory with it
                    assertThat(rss - base)
                            .as("native memory growth by batch %d (samples %s MiB)", i, samplesMiB)
                            .isLessThan(4 * BOUND_BYTES);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long total = (long) (WARMUP_BATCHES + MEASURED_BATCHES) * BATCH;
            System.out.printf(
                    "soak: %d images, measured %d in %.1f s (%.0f img/s); anonymous RSS outside the heap: base %d MiB, max %d"
                            + " MiB, samples %s MiB;"
                            + " bound %d MiB, one leaked batch >= %d KiB%n",
                    total,
                    (long) MEASURED_BATCHES * BATCH,
                    seconds,
                    MEASURED_BATCHES * BATCH / seconds,
                    base >> 20,
                    max >> 20,
                    samplesMiB,
                    BOUND_BYTES >> 20,
                    leakPerBatch >> 10);
            assertThat(total).isGreaterThanOrEqualTo(200_000);
            assertThat(max - base)
                    .as(
                            "native memory growth after warm-up (base %d MiB, samples %s MiB; one leaked batch >= %d KiB)",
                            base >> 20, samplesMiB, leakPerBatch >> 10)
                    .isLessThan(BOUND_BYTES);
        }
    }

    /** Anonymous resident memory (RssAnon) less the committed heap: libtorch's and the JVM's native memory. */
    private static long nativeBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024
                        - Runtime.getRuntime().totalMemory();
            }
        }
        throw new IllegalStateException("/proc/self/status has no RssAnon line");
    }
}
