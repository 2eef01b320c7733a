package io.visionstream.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.visionstream.inference.backbone.BackboneConfig;
import io.visionstream.inference.heads.DenseHeadConfig;
import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.model.ModelDirectory;
import io.visionstream.inference.model.ModelOutputs;
import io.visionstream.inference.model.VisionModel;
import io.visionstream.inference.vit.VitConfig;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine over a model directory with a dense head: one forward, three outputs. */
class DenseEngineTest {

    private static final List<String> CLASSES = List.of("background", "circle", "square", "triangle");
    private static final VitConfig BACKBONE = VitConfig.of(32, 8, 32, 4, 2, 4);
    private static final PreprocessConfig PRE = PreprocessConfig.fromTimm(
            new int[] {3, 32, 32},
            new double[] {0.5, 0.5, 0.5},
            new double[] {0.25, 0.25, 0.25},
            1.0,
            "bilinear",
            "center");

    @TempDir
    Path dir;

    /** Saves a combined model with distinct random values in every tensor (batch-norm statistics too). */
    private void saveRandomModel(NDManager manager) throws Exception {
        VisionModel model = new VisionModel(
                BACKBONE,
                new DenseHeadConfig(32, List.of(0, 1, 2, 3), 8, null, 4, CLASSES),
                "vit_tiny_patch16_224",
                PRE,
                CLASSES);
        model.initialize(manager);
        SplittableRandom random = new SplittableRandom(9);
        for (Map.Entry<String, Parameter> e : model.checkpointParameters().entrySet()) {
            float[] v = new float[Math.toIntExact(e.getValue().getShape().size())];
            boolean variance = e.getKey().endsWith("running_var");
            // A random per-class bias would outvote every pixel's features and make the map constant.
            boolean classBias = e.getKey().equals("decode_head.conv_seg.bias");
            for (int i = 0; i < v.length; i++) {
                v[i] = classBias
                        ? 0f
                        : (float) (variance ? 0.5 + random.nextDouble() : (random.nextDouble() - 0.5) * 0.6);
            }
            e.getValue().getArray().set(FloatBuffer.wrap(v));
        }
        ModelDirectory.save(dir, model);
    }

    @Test
    void classMapsAreTheCombinedModelsOwnArgmaxAndTheOtherOutputsComeFromTheSamePass() throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            saveRandomModel(manager);
            // Two images with strong spatial structure (bright and dark regions), so pixels differ.
            float[] batch = new float[2 * 3 * 32 * 32];
            for (int b = 0; b < 2; b++) {
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 32; y++) {
                        for (int xx = 0; xx < 32; xx++) {
                            boolean bright = b == 0 ? xx < 16 : (x(y, xx) && c != 1);
                            batch[((b * 3 + c) * 32 + y) * 32 + xx] = bright ? 3f : -3f;
                        }
                    }
                }
            }
            VisionModel reference = ModelDirectory.load(dir, manager);
            NDArray x = manager.create(batch, new Shape(2, 3, 32, 32));
            var expected = reference.predict(x);
            byte[] expectedMaps =
                    expected.classMap().toType(DataType.UINT8, false).toByteArray();
            float[] expectedLogits = expected.logits().toFloatArray();

            try (InferenceEngine engine =
                    InferenceEngines.open(dir, EngineOptions.defaults().withDevice("cpu"))) {
                assertThat(engine.info().segmentationClasses()).isEqualTo(CLASSES);
                assertThat(engine.info().segments()).isTrue();
                BatchResult result = engine.infer(batch, 2);
                for (int i = 0; i < 2; i++) {
                    ImageResult image = result.get(i);
                    assertThat(image.classMap()).hasSize(32 * 32);
                    assertThat(image.classMap()).isEqualTo(Arrays.copyOfRange(expectedMaps, i * 1024, (i + 1) * 1024));
                    assertThat(image.logits())
                            .containsExactly(
                                    Arrays.copyOfRange(expectedLogits, i * 4, (i + 1) * 4), Offset.offset(1e-5f));
                }
                // Random weights still give more than one class somewhere, so the map is not trivially constant.
                byte first = result.get(0).classMap()[0];
                boolean varied = false;
                for (int i = 0; i < 2; i++) {
                    for (byte b : result.get(i).classMap()) {
                        varied |= b != first;
                    }
                }
                assertThat(varied).as("class map varies over the image").isTrue();
            }
        }
    }

    @Test
    void aSwinWithUperNetDirectoryServesMasks() throws Exception {
        BackboneConfig swin = io.visionstream.inference.architectures.Architectures.configure(
                "swin_tiny_patch4_window7_224",
                io.visionstream.inference.backbone.ModelArgs.of(Map.of(
                        "img_size", 32,
                        "embed_dim", 8,
                        "depths", List.of(1, 1, 2, 1),
                        "num_heads", List.of(2, 2, 4, 4),
                        "window_size", 4,
                        "num_classes", 4)));
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            VisionModel model = new VisionModel(
                    swin,
                    new DenseHeadConfig(
                            List.of(8, 16, 32, 64), List.of(4, 8, 16, 32), List.of(0, 1, 2, 3), 8, null, 4, CLASSES),
                    "swin_tiny_patch4_window7_224",
                    PRE,
                    CLASSES);
            model.initialize(manager);
            ModelDirectory.save(dir, model);
            float[] batch = new float[3 * 32 * 32];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = (i % 32) < 16 ? 2f : -2f;
            }
            byte[] expected = ModelDirectory.load(dir, manager)
                    .predict(manager.create(batch, new Shape(1, 3, 32, 32)))
                    .classMap()
                    .toType(DataType.UINT8, false)
                    .toByteArray();

            try (InferenceEngine engine =
                    InferenceEngines.open(dir, EngineOptions.defaults().withDevice("cpu"))) {
                assertThat(engine.info().segments()).isTrue();
                ImageResult image = engine.infer(batch, 1).get(0);
                assertThat(image.classMap()).hasSize(32 * 32).isEqualTo(expected);
                assertThat(image.logits()).hasSize(4);
            }
        }
    }

    /**
     * libtorch's grad mode is per thread and on by default: DJL turns it off only on the thread that
     * loads the engine. An inference worker is another thread, so any parameter left trainable (the
     * dense head's are created trainable) would make every batch record an autograd graph, and hold its
     * saved activations until the batch's arrays are freed.
     */
    @Test
    void aDenseModelCalledFromAFreshThreadRecordsNoAutogradGraph() throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            saveRandomModel(manager);
        }
        try (DjlEngine engine = DjlEngine.open(dir, EngineOptions.defaults().withDevice("cpu"));
                NDManager inputs = NDManager.newBaseManager("PyTorch")) {
            ExecutorService fresh = Executors.newSingleThreadExecutor();
            try {
                Map<String, Boolean> seen = fresh.submit(() -> {
                            Map<String, Boolean> flags = new LinkedHashMap<>();
                            flags.put("grad mode before", JniUtils.isGradMode());
                            try (NDManager batch = inputs.newSubManager()) {
                                ModelOutputs out = engine.forward(batch.randomNormal(new Shape(2, 3, 32, 32)));
                                flags.put("logits", carriesAGraph(out.logits()));
                                flags.put("embedding", carriesAGraph(out.embedding()));
                                flags.put("dense logits", carriesAGraph(out.denseLogits()));
                            }
                            flags.put("grad mode after", JniUtils.isGradMode());
                            return flags;
                        })
                        .get(60, TimeUnit.SECONDS);
                // the premise: a new thread starts with grad mode on, so this test can see a graph recorded
                assertThat(seen.get("grad mode before")).isTrue();
                assertThat(seen)
                        .containsEntry("logits", false)
                        .containsEntry("embedding", false)
                        .containsEntry("dense logits", false)
                        // the engine leaves its caller's thread as it found it
                        .containsEntry("grad mode after", true);
            } finally {
                fresh.shutdownNow();
            }
        }
    }

    /**
     * Whether {@code output} carries an autograd graph, asked the one way that is reliable here: a
     * backward pass through it runs, or libtorch refuses it. (DJL 0.32's {@code requiresGrad} answers
     * false for a tensor with a {@code grad_fn}, and {@code getGradientFunctionNames} crashes the JVM for
     * one without.)
     */
    private static boolean carriesAGraph(NDArray output) {
        NDArray sum = output.sum();
        try {
            JniUtils.backward((PtNDArray) sum, (PtNDArray) sum.onesLike(), false, false);
            return true;
        } catch (EngineException e) {
            if (e.getMessage().contains("does not require grad and does not have a grad_fn")) {
                return false;
            }
            throw e;
        }
    }

    private static boolean x(int y, int x) {
        return (y - 16) * (y - 16) + (x - 16) * (x - 16) < 64;
    }

    @Test
    void aTimmFolderWithoutADenseHeadGivesEmptyClassMaps() throws Exception {
        try (InferenceEngine engine = InferenceEngines.open(
                Path.of("src/test/resources/fixtures/vit/tiny"),
                EngineOptions.defaults().withDevice("cpu"))) {
            assertThat(engine.info().segments()).isFalse();
            assertThat(engine.info().segmentationClasses()).isEmpty();
            assertThat(engine.infer(new float[3 * 32 * 32], 1).get(0).classMap())
                    .isEmpty();
        }
    }

    @Test
    void batchesFromConcurrentCallersGiveTheSameResultsAsOneAtATime() throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            saveRandomModel(manager);
        }
        int callers = 4;
        int batchesEach = 6;
        SplittableRandom random = new SplittableRandom(21);
        float[][] inputs = new float[callers * batchesEach][];
        for (int i = 0; i < inputs.length; i++) {
            // batch sizes 1..3, so that staging buffers of different sizes are taken and returned
            inputs[i] = new float[(1 + i % 3) * 3 * 32 * 32];
            for (int j = 0; j < inputs[i].length; j++) {
                inputs[i][j] = (float) (random.nextDouble() * 6 - 3);
            }
        }
        try (InferenceEngine engine =
                InferenceEngines.open(dir, EngineOptions.defaults().withDevice("cpu"))) {
            BatchResult[] alone = new BatchResult[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                alone[i] = engine.infer(inputs[i], 1 + i % 3);
            }
            BatchResult[] together = new BatchResult[inputs.length];
            CyclicBarrier start = new CyclicBarrier(callers);
            ExecutorService pool = Executors.newFixedThreadPool(callers);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < callers; c++) {
                    int caller = c;
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int b = 0; b < batchesEach; b++) {
                            int i = b * callers + caller;
                            together[i] = engine.infer(inputs[i], 1 + i % 3);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            for (int i = 0; i < inputs.length; i++) {
                assertThat(together[i].images()).hasSameSizeAs(alone[i].images());
                for (int k = 0; k < alone[i].images().size(); k++) {
                    ImageResult a = alone[i].get(k);
                    ImageResult t = together[i].get(k);
                    assertThat(t.classMap())
                            .as("batch %d image %d class map", i, k)
                            .isEqualTo(a.classMap());
                    assertThat(t.logits())
                            .as("batch %d image %d logits", i, k)
                            .containsExactly(a.logits(), Offset.offset(1e-5f));
                    assertThat(t.embedding())
                            .as("batch %d image %d embedding", i, k)
                            .containsExactly(a.embedding(), Offset.offset(1e-5f));
                }
            }
        }
    }
}
