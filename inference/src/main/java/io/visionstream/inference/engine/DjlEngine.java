package io.visionstream.inference.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.cuda.CudaUtils;
import io.visionstream.inference.architectures.Architectures;
import io.visionstream.inference.backbone.Backbone;
import io.visionstream.inference.backbone.BackboneConfig;
import io.visionstream.inference.backbone.BackboneOutput;
import io.visionstream.inference.heads.DenseHeadConfig;
import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.model.ModelDirectory;
import io.visionstream.inference.model.ModelOutputs;
import io.visionstream.inference.model.VisionModel;
import io.visionstream.inference.weights.LoadOptions;
import io.visionstream.inference.weights.LoadedBackbone;
import io.visionstream.inference.weights.TimmCheckpoints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * A model of any registered family (ViT, DeiT, hybrid ViT, ...) on DJL's PyTorch engine: one model
 * instance on one device (the GPU the options name, GPU 0 when they say auto and DJL sees one, else
 * CPU). It sees the model only through the {@link Backbone} seam and the optional dense head.
 *
 * <p>Each {@link #infer} call creates its arrays in a sub-manager of the model's manager and closes it
 * before returning, so native memory stays flat over any number of batches.
 *
 * <p>Thread-safety: safe for concurrent callers, and batches from different threads run concurrently:
 * each forward runs on its caller's thread with that thread's libtorch intra-op threads (see {@link
 * InferenceEngines#setIntraOpThreads}), over the one shared, frozen set of weights. On a CPU, several
 * callers with one intra-op thread each keep every core busy without the barrier stalls of one
 * parallel region spread over cores that other work also wants. Every parameter is frozen and each
 * forward runs with libtorch's grad mode off on its thread, so no caller records an autograd graph.
 * {@link #close} waits for running batches.
 */
public final class DjlEngine implements InferenceEngine {

    /** The {@link ModelInfo#backend()} of this engine. */
    public static final String BACKEND = "djl-pytorch";

    // infer() holds the read lock so that batches run side by side; close() takes the write lock
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final NDManager manager;
    private final Backbone model;
    // The backbone + classifier + dense head, when the model directory has a dense head; the backbone
    // then runs once per batch for all three outputs.
    private final VisionModel segmenting;
    private final ModelInfo info;
    private final int topK;
    private final DataType dataType;
    private boolean closed;
    // Native staging for callers that pass a float array, one batch per concurrent call at most: a fresh
    // direct buffer per call would only be freed when the GC gets round to it, so resident memory would
    // track GC timing instead of the work in flight. Callers that fill an InputBatch need none.
    private final ConcurrentLinkedDeque<InputBatch> staging = new ConcurrentLinkedDeque<>();

    private DjlEngine(
            NDManager manager, Backbone model, VisionModel segmenting, ModelInfo info, EngineOptions options) {
        this.manager = manager;
        this.model = model;
        this.segmenting = segmenting;
        this.info = info;
        this.topK = options.topK();
        this.dataType = options.precision().dataType();
        // Inference only: every parameter frozen, the dense head's included (it is created trainable),
        // so no batch records an autograd graph whatever the calling thread's grad mode is.
        Map<String, Parameter> served =
                segmenting != null ? segmenting.checkpointParameters() : model.checkpointParameters();
        for (Parameter p : served.values()) {
            p.freeze(true);
        }
    }

    /**
     * Loads a timm model folder ({@code config.json} + {@code model.safetensors}) at its own input size.
     *
     * @throws IOException when the folder is missing or invalid (see {@link TimmCheckpoints#load})
     * @throws IllegalArgumentException for FP16/BF16 without a GPU, or a GPU (gpu, gpu:N) that is not there
     */
    public static DjlEngine open(Path modelDir, EngineOptions options) throws IOException {
        return open(modelDir, options, 0, 0);
    }

    /**
     * Loads a timm model folder to run at {@code height x width} (position grid resampled; 0, 0 for the
     * checkpoint's own size). A folder whose {@code config.json} declares a {@code dense_head} is loaded
     * with it, and images then also get a class map.
     *
     * @throws IOException when the folder is missing or invalid (see {@link TimmCheckpoints#load})
     * @throws IllegalArgumentException for FP16/BF16 without a GPU, FP16/BF16 with a dense head (not
     *     supported yet), or a GPU (gpu, gpu:N) that is not there
     */
    public static DjlEngine open(Path modelDir, EngineOptions options, int height, int width) throws IOException {
        Device device = chooseDevice(options);
        Optional<DenseHeadConfig> head = ModelDirectory.denseHead(modelDir);
        if (head.isPresent() && options.precision() != Precision.FP32) {
            throw new IllegalArgumentException("precision=" + options.precision() + " with a dense head is not"
                    + " supported yet (the head's weights load in FP32); use FP32 for " + modelDir);
        }
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            if (head.isPresent()) {
                VisionModel combined = ModelDirectory.load(modelDir, manager, height, width);
                List<String> classes = head.get().classNames().isEmpty()
                        ? IntStream.range(0, head.get().numClasses())
                                .mapToObj(Integer::toString)
                                .toList()
                        : head.get().classNames();
                if (classes.size() > 256) {
                    throw new IllegalArgumentException("dense_head.num_classes=" + classes.size()
                            + " does not fit the one-byte class map (at most 256)");
                }
                ModelInfo info = info(
                        combined.architecture(),
                        combined.backboneConfig(),
                        combined.labelNames(),
                        device,
                        Precision.FP32,
                        combined.preprocess(),
                        classes);
                return new DjlEngine(manager, combined.backbone(), combined, info, options);
            }
            LoadedBackbone loaded = TimmCheckpoints.load(
                    modelDir,
                    manager,
                    new LoadOptions(height, width, options.precision().dataType()));
            ModelInfo info = info(
                    loaded.checkpoint().architecture(),
                    loaded.backbone().config(),
                    loaded.checkpoint().labelNames(),
                    device,
                    options.precision(),
                    loaded.preprocess(),
                    List.of());
            return new DjlEngine(manager, loaded.backbone(), null, info, options);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * An engine over a registered architecture at its defaults (1000 classes, its own input size) with
     * random weights; see {@link #withRandomWeights(String, BackboneConfig, EngineOptions, int)}.
     *
     * @throws IllegalArgumentException for an unknown architecture (listing the known ones), FP16/BF16
     *     without a GPU, or a GPU (gpu, gpu:N) that is not there
     */
    public static DjlEngine withRandomWeights(String architecture, EngineOptions options, int seed) {
        return withRandomWeights(architecture, Architectures.defaults(architecture), options, seed);
    }

    /**
     * An engine over a randomly initialised model of any family (DJL's random generator, seeded), for
     * benchmarks and soak tests; its outputs mean nothing. Preprocessing is reported as mean/std 0.5,
     * crop 0.875.
     *
     * @throws IllegalArgumentException for FP16/BF16 without a GPU, or a GPU (gpu, gpu:N) that is not there
     */
    public static DjlEngine withRandomWeights(String name, BackboneConfig config, EngineOptions options, int seed) {
        Device device = chooseDevice(options);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            Engine.getEngine("PyTorch").setRandomSeed(seed);
            Backbone model = config.newBackbone();
            model.initialize(manager, options.precision().dataType());
            PreprocessConfig pre = PreprocessConfig.fromTimm(
                    new int[] {config.inChans(), config.imgHeight(), config.imgWidth()},
                    new double[] {0.5, 0.5, 0.5},
                    new double[] {0.5, 0.5, 0.5},
                    PreprocessConfig.DEFAULT_CROP_PCT,
                    "bicubic");
            ModelInfo info = info(name, config, List.of(), device, options.precision(), pre, List.of());
            return new DjlEngine(manager, model, null, info, options);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Device chooseDevice(EngineOptions options) {
        Engine engine = Engine.getEngine("PyTorch");
        Device device = resolveDevice(options, engine.defaultDevice(), engine.getGpuCount(), engine.getVersion());
        if (options.precision() != Precision.FP32 && !device.isGpu()) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "precision=%s needs a GPU but the engine would run on %s; use FP32 on CPU",
                    options.precision(),
                    device));
        }
        return device;
    }

    /**
     * The device a setting names on a machine where DJL's default device is {@code best} and it sees
     * {@code gpus} GPUs. {@code auto} takes {@code best} (GPU 0 when there is a GPU, else the CPU); {@code
     * gpu} and {@code gpu:N} never fall back to the CPU.
     *
     * @throws IllegalArgumentException when the named GPU is not there, saying how many DJL sees
     */
    static Device resolveDevice(EngineOptions options, Device best, int gpus, String pytorchVersion) {
        String setting = options.device();
        switch (setting) {
            case "cpu":
                return Device.cpu();
            case "auto":
                return best;
            default: // gpu, gpu:N
                if (gpus == 0) {
                    throw new IllegalArgumentException(
                            "device=" + setting + " but DJL sees no GPU (PyTorch " + pytorchVersion + ", GPUs: 0)");
                }
                int index = Math.max(0, options.gpuIndex());
                if (index >= gpus) {
                    throw new IllegalArgumentException(String.format(
                            Locale.ROOT,
                            "device=%s but DJL sees %d GPU%s (gpu:0%s)",
                            setting,
                            gpus,
                            gpus == 1 ? "" : "s",
                            gpus == 1 ? "" : " to gpu:" + (gpus - 1)));
                }
                return Device.gpu(index);
        }
    }

    private static ModelInfo info(
            String architecture,
            BackboneConfig c,
            List<String> labels,
            Device device,
            Precision precision,
            PreprocessConfig pre,
            List<String> segmentationClasses) {
        return new ModelInfo(
                BACKEND,
                architecture,
                c.inChans(),
                c.imgHeight(),
                c.imgWidth(),
                c.numClasses(),
                c.numFeatures(),
                labels,
                device.toString(),
                precision,
                pre,
                segmentationClasses);
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    /** Asks the CUDA runtime ({@code cudaMemGetInfo}) through DJL; empty on a CPU or without a CUDA runtime. */
    @Override
    public OptionalLong deviceMemoryUsedBytes() {
        Device device = manager.getDevice();
        if (!device.isGpu() || !CudaUtils.hasCuda()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(CudaUtils.getGpuMemory(device).getUsed());
    }

    @Override
    public BatchResult infer(float[] chwBatch, int batchSize) {
        if (chwBatch == null) {
            throw new IllegalArgumentException("chwBatch is null");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize=" + batchSize + " must be > 0");
        }
        long expected = (long) batchSize * info.floatsPerImage();
        if (chwBatch.length != expected) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "chwBatch has %d floats but batchSize %d x [%d, %d, %d] needs %d",
                    chwBatch.length,
                    batchSize,
                    info.channels(),
                    info.height(),
                    info.width(),
                    expected));
        }
        InputBatch batch = stagingFor(batchSize);
        try {
            batch.copyFrom(chwBatch, 0);
            return infer(batch, 0, batchSize);
        } finally {
            staging.push(batch);
        }
    }

    /** Reads the slots in place: libtorch wraps their native memory as the input tensor on a CPU. */
    @Override
    public BatchResult infer(InputBatch batch, int from, int count) {
        if (batch.floatsPerImage() != info.floatsPerImage()) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "the batch's images have %d floats but the model takes [%d, %d, %d] = %d",
                    batch.floatsPerImage(),
                    info.channels(),
                    info.height(),
                    info.width(),
                    info.floatsPerImage()));
        }
        ByteBuffer input = batch.bytes(from, count);
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            // The arrays over the slots are closed with the sub-manager, before the caller may write again.
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = scope.create(
                        input, new Shape(count, info.channels(), info.height(), info.width()), DataType.FLOAT32);
                if (dataType != DataType.FLOAT32) {
                    x = x.toType(dataType, false);
                }
                ModelOutputs out = forward(x);
                byte[] classMaps = out.denseLogits() == null
                        ? new byte[0]
                        : out.denseLogits()
                                .argMax(1)
                                .toType(DataType.UINT8, false)
                                .toByteArray();
                float[] embeddings =
                        out.embedding().toType(DataType.FLOAT32, false).toFloatArray();
                float[] logits = out.logits() == null
                        ? new float[0]
                        : out.logits().toType(DataType.FLOAT32, false).toFloatArray();
                return toResults(count, logits, embeddings, classMaps);
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * One eval-mode forward of the served model over {@code x}, on the calling thread.
     *
     * @param x normalised images {@code [B, C, H, W]} in the engine's data type; the outputs belong to its
     *     manager
     * @return logits (null without a classifier), embedding, and dense logits {@code [B, K, H, W]} (null
     *     without a dense head)
     */
    ModelOutputs forward(NDArray x) {
        // libtorch's grad mode is per thread and on by default; DJL turns it off only on the thread that
        // loaded the engine. Off for the forward (torch.no_grad()), then as the caller had it.
        boolean gradMode = JniUtils.isGradMode();
        if (gradMode) {
            JniUtils.setGradMode(false);
        }
        try {
            if (segmenting != null) {
                return segmenting.forward(new ParameterStore(x.getManager(), false), x, false);
            }
            BackboneOutput out = model.forwardOutputs(new ParameterStore(x.getManager(), false), x, false);
            return new ModelOutputs(out.logits(), out.embedding(), null);
        } finally {
            if (gradMode) {
                JniUtils.setGradMode(true);
            }
        }
    }

    /**
     * A free staging batch of at least {@code images} images: a pooled one when one is large enough, else a
     * new one (the pool holds at most one batch per float-array call that ever ran at the same time).
     */
    private InputBatch stagingFor(int images) {
        InputBatch pooled = staging.poll();
        if (pooled != null && pooled.capacity() >= images) {
            return pooled;
        }
        // a too-small batch is dropped; the GC frees it
        return InputBatch.allocate(images, info.floatsPerImage());
    }

    private BatchResult toResults(int batchSize, float[] logits, float[] embeddings, byte[] classMaps) {
        int k = info.numClasses();
        int d = info.embedDim();
        int pixels = classMaps.length == 0 ? 0 : info.height() * info.width();
        List<ImageResult> images = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            float[] row = k == 0 ? new float[0] : Arrays.copyOfRange(logits, i * k, (i + 1) * k);
            float[] emb = Arrays.copyOfRange(embeddings, i * d, (i + 1) * d);
            byte[] map = pixels == 0 ? new byte[0] : Arrays.copyOfRange(classMaps, i * pixels, (i + 1) * pixels);
            images.add(new ImageResult(row, topK(row, topK, this::label), emb, map));
        }
        return new BatchResult(images);
    }

    /**
     * The {@code topK} best classes of {@code logits}, highest logit first and the lower index first among
     * equal logits, with softmax scores over all classes; primitive arrays only, no boxing per class.
     */
    static List<ScoredClass> topK(float[] logits, int topK, IntFunction<String> label) {
        int n = logits.length;
        if (n == 0) {
            return List.of();
        }
        int k = Math.min(topK, n);
        // best[0..found) holds indices in rank order; a class enters only when it beats the last kept
        int[] best = new int[k];
        int found = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            float v = logits[j];
            max = Math.max(max, v);
            if (found == k && !(v > logits[best[k - 1]])) {
                continue;
            }
            int at = found < k ? found++ : k - 1;
            // strictly greater moves ahead, so an equal logit stays behind the earlier (lower) index
            while (at > 0 && v > logits[best[at - 1]]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = j;
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - (double) max);
        }
        ScoredClass[] top = new ScoredClass[k];
        for (int r = 0; r < k; r++) {
            int j = best[r];
            top[r] = new ScoredClass(j, label.apply(j), (float) (Math.exp(logits[j] - (double) max) / sum));
        }
        return List.of(top);
    }

    private String label(int index) {
        return info.labels().isEmpty() ? Integer.toString(index) : info.labels().get(index);
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                manager.close();
                staging.clear();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
