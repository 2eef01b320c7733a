package io.visionstream.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.visionstream.inference.Fixtures;
import io.visionstream.inference.vit.VitConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DjlEngineTest {

    private static DjlEngine engine;
    private static NDManager manager;
    private static float[] input;
    private static float[] refLogits;
    private static float[] refEmbedding;

    @BeforeAll
    static void open() throws Exception {
        engine = DjlEngine.open(Fixtures.dir("tiny"), EngineOptions.defaults().withTopK(3));
        manager = NDManager.newBaseManager("PyTorch");
        Map<String, NDArray> ref = Fixtures.reference("tiny", manager);
        input = ref.get("input").toFloatArray();
        refLogits = ref.get("logits").toFloatArray();
        refEmbedding = ref.get("embedding").toFloatArray();
    }

    @AfterAll
    static void close() {
        engine.close();
        manager.close();
    }

    @Test
    void infoDescribesTheCheckpoint() {
        ModelInfo info = engine.info();
        assertThat(info.architecture()).isEqualTo("vit_tiny_patch16_224");
        assertThat(info.floatsPerImage()).isEqualTo(3 * 32 * 32);
        assertThat(info.numClasses()).isEqualTo(10);
        assertThat(info.embedDim()).isEqualTo(32);
        assertThat(info.labels()).hasSize(10).startsWith("class_0");
        assertThat(info.preprocess().cropPct()).isEqualTo(0.875);
        assertThat(info.backend()).isEqualTo(DjlEngine.BACKEND);
    }

    @Test
    void batchGivesTorchvisionLogitsAndEmbeddingsPerImage() {
        BatchResult result = engine.infer(input, 2);
        assertThat(result.size()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            float[] logits = result.get(i).logits();
            float[] emb = result.get(i).embedding();
            for (int j = 0; j < 10; j++) {
                assertThat(logits[j]).isCloseTo(refLogits[i * 10 + j], within(1e-4f));
            }
            for (int j = 0; j < 32; j++) {
                assertThat(emb[j]).isCloseTo(refEmbedding[i * 32 + j], within(1e-4f));
            }
        }
    }

    @Test
    void slotsInTheMiddleOfAnInputBatchGiveTorchvisionLogitsReadInPlace() {
        InputBatch batch = InputBatch.allocate(6, 3 * 32 * 32);
        float[] noise = new float[6 * 3 * 32 * 32];
        Arrays.fill(noise, 7f);
        batch.copyFrom(noise, 0);
        batch.copyFrom(input, 3); // the two reference images in slots 3 and 4, between slots of other values

        BatchResult result = engine.infer(batch, 3, 2);

        assertThat(result.size()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            float[] logits = result.get(i).logits();
            for (int j = 0; j < 10; j++) {
                assertThat(logits[j]).isCloseTo(refLogits[i * 10 + j], within(1e-4f));
            }
        }
    }

    @Test
    void anInputBatchOfAnotherImageSizeIsRefusedNamingBothSizes() {
        assertThatThrownBy(() -> engine.infer(InputBatch.allocate(2, 3 * 16 * 16), 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the batch's images have 768 floats but the model takes [3, 32, 32] = 3072");
    }

    @Test
    void topKRanksEqualLogitsByLowerIndexAndScoresBySoftmaxOverAllClasses() {
        float[] logits = {1f, 3f, 2f, 3f, -1f, 2f};
        List<ScoredClass> top = DjlEngine.topK(logits, 4, j -> "c" + j);

        assertThat(top).extracting(ScoredClass::index).containsExactly(1, 3, 2, 5);
        assertThat(top).extracting(ScoredClass::label).containsExactly("c1", "c3", "c2", "c5");
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v);
        }
        assertThat((double) top.get(0).score()).isCloseTo(Math.exp(3) / sum, within(1e-6));
        assertThat((double) top.get(3).score()).isCloseTo(Math.exp(2) / sum, within(1e-6));
    }

    @Test
    void topKOfMoreClassesThanThereAreListsEveryClassOnce() {
        assertThat(DjlEngine.topK(new float[] {0f, 0f, 5f}, 10, Integer::toString))
                .extracting(ScoredClass::index)
                .containsExactly(2, 0, 1);
    }

    @Test
    void topKIsSoftmaxOfReferenceLogitsBestFirstWithLabels() {
        ImageResult image = engine.infer(input, 2).get(1);
        double[] ref = Arrays.copyOfRange(toDouble(refLogits), 10, 20);
        double sum = Arrays.stream(ref).map(Math::exp).sum();
        Integer[] order = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        Arrays.sort(order, (a, b) -> Double.compare(ref[b], ref[a]));
        assertThat(image.topK()).hasSize(3);
        for (int r = 0; r < 3; r++) {
            ScoredClass p = image.topK().get(r);
            assertThat(p.index()).isEqualTo(order[r]);
            assertThat(p.label()).isEqualTo("class_" + order[r]);
            assertThat((double) p.score()).isCloseTo(Math.exp(ref[order[r]]) / sum, within(1e-5));
        }
    }

    @Test
    void singleImageEqualsItsRowInABatch() {
        float[] second = Arrays.copyOfRange(input, 3 * 32 * 32, 2 * 3 * 32 * 32);
        float[] alone = engine.infer(second, 1).get(0).logits();
        float[] inBatch = engine.infer(input, 2).get(1).logits();
        for (int j = 0; j < alone.length; j++) {
            assertThat(alone[j]).isCloseTo(inBatch[j], within(1e-5f));
        }
    }

    @Test
    void wrongLengthIsRejectedWithExpectedAndActual() {
        assertThatThrownBy(() -> engine.infer(new float[100], 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("chwBatch has 100 floats but batchSize 2 x [3, 32, 32] needs 6144");
    }

    @Test
    void nonPositiveBatchSizeIsRejected() {
        assertThatThrownBy(() -> engine.infer(new float[0], 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batchSize=0 must be > 0");
    }

    @Test
    void concurrentCallersEachGetTheirOwnImages() throws Exception {
        float[] first = Arrays.copyOfRange(input, 0, 3 * 32 * 32);
        float[] second = Arrays.copyOfRange(input, 3 * 32 * 32, 2 * 3 * 32 * 32);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] futures = new Future<?>[8];
            for (int t = 0; t < futures.length; t++) {
                boolean odd = t % 2 == 1;
                futures[t] = pool.submit(() -> {
                    for (int n = 0; n < 10; n++) {
                        float[] logits =
                                engine.infer(odd ? second : first, 1).get(0).logits();
                        int row = odd ? 1 : 0;
                        for (int j = 0; j < 10; j++) {
                            assertThat(logits[j]).isCloseTo(refLogits[row * 10 + j], within(1e-4f));
                        }
                    }
                    return null;
                });
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void headlessModelReturnsEmbeddingsOnly() {
        try (DjlEngine headless =
                DjlEngine.withRandomWeights("custom", VitConfig.of(32, 8, 32, 1, 2, 0), EngineOptions.defaults(), 1)) {
            ImageResult r = headless.infer(new float[3 * 32 * 32], 1).get(0);
            assertThat(r.logits()).isEmpty();
            assertThat(r.topK()).isEmpty();
            assertThat(r.top1()).isNull();
            assertThat(r.embedding()).hasSize(32);
        }
    }

    @Test
    void aRandomWeightEngineForAHybridNameRunsAtItsDefaults() {
        try (DjlEngine hybrid = DjlEngine.withRandomWeights(
                "vit_tiny_r_s16_p8_224", EngineOptions.defaults().withDevice("cpu"), 1)) {
            ModelInfo info = hybrid.info();
            ImageResult r = hybrid.infer(new float[info.floatsPerImage()], 1).get(0);

            assertThat(info.architecture()).isEqualTo("vit_tiny_r_s16_p8_224");
            assertThat(new int[] {info.height(), info.width(), info.numClasses(), info.embedDim()})
                    .containsExactly(224, 224, 1000, 192);
            assertThat(r.logits()).hasSize(1000);
            assertThat(r.embedding()).hasSize(192);
        }
    }

    @Test
    void closedEngineRefusesWork() {
        DjlEngine closing =
                DjlEngine.withRandomWeights("custom", VitConfig.of(32, 8, 32, 1, 2, 3), EngineOptions.defaults(), 1);
        closing.close();
        closing.close();
        assertThatThrownBy(() -> closing.infer(new float[3 * 32 * 32], 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("engine is closed");
    }

    @Test
    void bf16OnCpuIsRefusedBeforeAnythingIsConverted() {
        assumeFalse(Engine.getEngine("PyTorch").defaultDevice().isGpu(), "this machine has a GPU");
        assertThatThrownBy(() -> DjlEngine.open(
                        Fixtures.dir("tiny"), EngineOptions.defaults().withPrecision(Precision.BF16)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("precision=BF16 needs a GPU but the engine would run on cpu(); use FP32 on CPU");
    }

    @Test
    void fp16OnCpuIsRefused() {
        assertThatThrownBy(() -> DjlEngine.withRandomWeights(
                        "custom",
                        VitConfig.of(32, 8, 32, 1, 2, 3),
                        EngineOptions.defaults().withDevice("cpu").withPrecision(Precision.FP16),
                        1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("precision=FP16 needs a GPU");
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
