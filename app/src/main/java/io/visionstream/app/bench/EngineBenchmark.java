package io.visionstream.app.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.visionstream.inference.architectures.Architectures;
import io.visionstream.inference.backbone.BackboneConfig;
import io.visionstream.inference.engine.DjlEngine;
import io.visionstream.inference.engine.EngineOptions;
import io.visionstream.inference.engine.ModelInfo;
import io.visionstream.inference.engine.NativeAllocator;
import io.visionstream.inference.engine.Precision;
import io.visionstream.inference.swin.SwinConfig;
import io.visionstream.inference.vit.VitConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Prints images/s of the engine for a few architectures of any registered family (ViT, DeiT, hybrid)
 * and batch sizes next to the machine's measured fp32 GEMM rate, so the fraction of the hardware
 * ceiling is visible. Weights are random (speed does not
 * depend on them). Runs in the calling thread; not for concurrent use with other benchmarks.
 */
public final class EngineBenchmark {

    /**
     * Benchmark settings.
     *
     * @param architectures timm names of any family (see {@link Architectures#names()}), run at their
     *     default size
     * @param batchSizes batch sizes to time, each >= 1
     * @param secondsPerCase timed seconds per model and batch size, split into 5 windows of at least
     *     one batch each
     * @param warmupBatches untimed batches before each case
     * @param gemmSize n of the n x n x n fp32 matmul that measures the machine's rate
     * @param engine device and precision of the engine under test
     * @param sizes square input sizes S to run every model at (the cost curve: tokens, GFLOP and time
     *     per image against S, relative to the first size); empty: each model at its default size only
     * @param torchscript a directory with a TorchScript file {@code <architecture>.pt} per model, timed
     *     beside the engine in alternating windows; null for none. FP32 on the CPU, default sizes only
     */
    public record Options(
            List<String> architectures,
            List<Integer> batchSizes,
            double secondsPerCase,
            int warmupBatches,
            int gemmSize,
            EngineOptions engine,
            List<Integer> sizes,
            Path torchscript) {

        /**
         * Validates every field.
         *
         * @throws IllegalArgumentException naming the offending field and value
         */
        public Options {
            architectures = List.copyOf(architectures);
            batchSizes = List.copyOf(batchSizes);
            sizes = List.copyOf(sizes);
            for (int size : sizes) {
                if (size < 1) {
                    throw new IllegalArgumentException("sizes contains " + size + "; each must be >= 1");
                }
            }
            architectures.forEach(Architectures::family); // an unknown name fails here, listing the known ones
            if (architectures.isEmpty() || batchSizes.isEmpty()) {
                throw new IllegalArgumentException("architectures and batchSizes must not be empty");
            }
            for (int b : batchSizes) {
                if (b < 1) {
                    throw new IllegalArgumentException("batchSizes contains " + b + "; each must be >= 1");
                }
            }
            if (!(secondsPerCase > 0)) {
                throw new IllegalArgumentException("secondsPerCase=" + secondsPerCase + " must be > 0");
            }
            if (warmupBatches < 0) {
                throw new IllegalArgumentException("warmupBatches=" + warmupBatches + " must be >= 0");
            }
            if (gemmSize < 16) {
                throw new IllegalArgumentException("gemmSize=" + gemmSize + " must be >= 16");
            }
            if (torchscript != null) {
                if (!sizes.isEmpty()) {
                    throw new IllegalArgumentException(
                            "--torchscript files take the models' default sizes only;" + " drop --sizes " + sizes);
                }
                if (engine.precision() != Precision.FP32 || engine.device().startsWith("gpu")) {
                    throw new IllegalArgumentException("--torchscript runs FP32 on the CPU; got precision "
                            + engine.precision() + ", device " + engine.device());
                }
            }
        }

        /** No TorchScript baseline. */
        public Options(
                List<String> architectures,
                List<Integer> batchSizes,
                double secondsPerCase,
                int warmupBatches,
                int gemmSize,
                EngineOptions engine,
                List<Integer> sizes) {
            this(architectures, batchSizes, secondsPerCase, warmupBatches, gemmSize, engine, sizes, null);
        }

        /** Each model at its default size only. */
        public Options(
                List<String> architectures,
                List<Integer> batchSizes,
                double secondsPerCase,
                int warmupBatches,
                int gemmSize,
                EngineOptions engine) {
            this(architectures, batchSizes, secondsPerCase, warmupBatches, gemmSize, engine, List.of(), null);
        }

        /** ViT-Ti/16 and ViT-S/16 at 224, batches 1, 8, 32, 5 s each, GEMM 2048, FP32 on the best device. */
        public static Options defaults() {
            return new Options(
                    List.of("vit_tiny_patch16_224", "vit_small_patch16_224"),
                    List.of(1, 8, 32),
                    5.0,
                    2,
                    2048,
                    EngineOptions.defaults().withPrecision(Precision.FP32));
        }
    }

    private static final int WINDOWS = 5;

    private EngineBenchmark() {}

    /** Runs {@link Options#defaults()} and prints to standard output. */
    public static void main(String[] args) {
        run(Options.defaults(), System.out);
    }

    /**
     * Runs the benchmark and prints a report to {@code out}.
     *
     * @throws IllegalArgumentException when the engine options cannot be honoured (e.g. BF16 on CPU)
     */
    public static void run(Options options, PrintStream out) {
        Map<String, Path> torchscript = options.torchscript() == null
                ? Map.of()
                : TorchScriptBaseline.files(options.torchscript(), options.architectures());
        Engine engine = Engine.getEngine("PyTorch");
        out.printf(Locale.ROOT, "machine: %d cores, %s%n", Runtime.getRuntime().availableProcessors(), cpuModel());
        out.printf(Locale.ROOT, "cpu flags: %s%n", simdFlags());
        out.printf(
                Locale.ROOT,
                "jvm: %s %s; DJL %s; PyTorch %s; default device %s%n",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Engine.getDjlVersion(),
                engine.getVersion(),
                engine.defaultDevice());
        out.printf(
                Locale.ROOT,
                "settings: %s, batches %s, %.1f s per case, %d warm-up batches, precision %s, device %s%n",
                options.architectures(),
                options.batchSizes(),
                options.secondsPerCase(),
                options.warmupBatches(),
                options.engine().precision(),
                options.engine().device());
        out.printf(
                Locale.ROOT,
                "libtorch intra-op threads: %d; load average at start: %s (the CPU may be shared)%n",
                JniUtils.getNumThreads(),
                loadAverage());
        out.println(NativeAllocator.describe());

        double gemm = gemmGflops(options.gemmSize());
        out.printf(
                Locale.ROOT,
                "fp32 matmul %d^3 through DJL/PyTorch: %.1f GFLOP/s (the ceiling used below)%n",
                options.gemmSize(),
                gemm);
        if (!options.sizes().isEmpty()) {
            costCurve(options, gemm, out);
            out.printf(Locale.ROOT, "load average at end: %s%n", loadAverage());
            return;
        }
        if (!torchscript.isEmpty()) {
            againstTorchScript(options, torchscript, gemm, out);
            out.printf(Locale.ROOT, "load average at end: %s%n", loadAverage());
            return;
        }
        out.printf(
                Locale.ROOT,
                "%-24s %6s %10s %10s %10s %10s %10s%n",
                "model",
                "batch",
                "img/s med",
                "img/s best",
                "GFLOP/img",
                "GFLOP/s",
                "of matmul");
        for (String arch : options.architectures()) {
            BackboneConfig config = Architectures.defaults(arch);
            double flops = config.flopsPerImage();
            try (DjlEngine model = DjlEngine.withRandomWeights(arch, config, options.engine(), 1)) {
                ModelInfo info = model.info();
                for (int batch : options.batchSizes()) {
                    double[] windows = time(model, info, batch, options);
                    double median = windows[windows.length / 2];
                    double achieved = median * flops / 1e9;
                    out.printf(
                            Locale.ROOT,
                            "%-24s %6d %10.1f %10.1f %10.2f %10.1f %9.0f%%%n",
                            arch,
                            batch,
                            median,
                            windows[windows.length - 1],
                            flops / 1e9,
                            achieved,
                            100 * achieved / gemm);
                }
            }
        }
        out.printf(Locale.ROOT, "load average at end: %s%n", loadAverage());
    }

    /**
     * One row per model, batch size and input size: tokens, GFLOP per image, images/s and time per image
     * relative to the model's row at the first size.
     */
    private static void costCurve(Options options, double gemm, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "%-30s %5s %6s %7s %10s %10s %10s %10s %10s %8s%n",
                "model",
                "size",
                "batch",
                "tokens",
                "GFLOP/img",
                "img/s med",
                "img/s best",
                "ms/img",
                "of matmul",
                "x " + options.sizes().get(0));
        for (String arch : options.architectures()) {
            for (int batch : options.batchSizes()) {
                double firstMs = Double.NaN;
                for (int size : options.sizes()) {
                    BackboneConfig config = Architectures.defaults(arch).withImageSize(size, size);
                    double flops = config.flopsPerImage();
                    try (DjlEngine model = DjlEngine.withRandomWeights(arch, config, options.engine(), 1)) {
                        double[] windows = time(model, model.info(), batch, options);
                        double median = windows[windows.length / 2];
                        double ms = 1000 / median;
                        if (Double.isNaN(firstMs)) {
                            firstMs = ms;
                        }
                        out.printf(
                                Locale.ROOT,
                                "%-30s %5d %6d %7d %10.2f %10.2f %10.2f %10.1f %9.0f%% %8.2f%n",
                                arch,
                                size,
                                batch,
                                tokens(config),
                                flops / 1e9,
                                median,
                                windows[windows.length - 1],
                                ms,
                                100 * median * flops / 1e9 / gemm,
                                ms / firstMs);
                    }
                }
            }
        }
    }

    /**
     * One row per model and batch size: the engine and the TorchScript module timed in alternating
     * windows (engine first in even rounds, TorchScript first in odd ones), so a neighbour's load falls
     * on both alike; the ratio is the median of the rounds' ratios. With one intra-op thread every
     * op runs on the timing thread, so images per second of that thread's CPU time are printed too:
     * they leave out the time the thread waited for a core, which on a shared machine is most of the
     * noise.
     */
    private static void againstTorchScript(Options options, Map<String, Path> files, double gemm, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "TorchScript baseline: %s, %d alternating rounds of %.2f s each per case%n",
                options.torchscript(),
                WINDOWS,
                options.secondsPerCase() / WINDOWS);
        out.printf(
                Locale.ROOT,
                "%-24s %6s %9s %9s %8s %10s %10s %8s %10s%n",
                "model",
                "batch",
                "ours med",
                "TS med",
                "ours/TS",
                "ours /cpu",
                "TS /cpu",
                "ours/TS",
                "ours of mm");
        for (String arch : options.architectures()) {
            BackboneConfig config = Architectures.defaults(arch);
            double flops = config.flopsPerImage();
            try (DjlEngine model = DjlEngine.withRandomWeights(arch, config, options.engine(), 1)) {
                ModelInfo info = model.info();
                if (!info.device().startsWith("cpu")) {
                    throw new IllegalArgumentException(
                            "--torchscript runs on the CPU; the engine is on " + info.device() + " (use --device cpu)");
                }
                Shape image = new Shape(info.channels(), info.height(), info.width());
                try (TorchScriptBaseline baseline =
                        TorchScriptBaseline.load(files.get(arch), new Shape(1).addAll(image), info.numClasses())) {
                    for (int batch : options.batchSizes()) {
                        float[] images = randomImages(batch * info.floatsPerImage());
                        Runnable ours = () -> model.infer(images, batch);
                        Runnable ts = () -> baseline.infer(images, batch, image);
                        double[][] rates = timeAlternating(ours, ts, batch, options);
                        double oursMedian = median(rates[0]);
                        boolean oneThread = JniUtils.getNumThreads() == 1;
                        out.printf(
                                Locale.ROOT,
                                "%-24s %6d %9.1f %9.1f %8.2f %10s %10s %8s %9.0f%%%n",
                                arch,
                                batch,
                                oursMedian,
                                median(rates[1]),
                                medianRatio(rates[0], rates[1]),
                                oneThread ? String.format(Locale.ROOT, "%.1f", median(rates[2])) : "n/a",
                                oneThread ? String.format(Locale.ROOT, "%.1f", median(rates[3])) : "n/a",
                                oneThread ? String.format(Locale.ROOT, "%.2f", medianRatio(rates[2], rates[3])) : "n/a",
                                100 * oursMedian * flops / 1e9 / gemm);
                    }
                }
            }
        }
    }

    /**
     * Images/s of {@code a} and {@code b} in {@value #WINDOWS} rounds of one window each, alternating
     * which goes first; after {@code warmupBatches} of each (at least 3 for TorchScript's profiling
     * executor, which optimises the graph on its second or third call).
     *
     * @return {@code [4][WINDOWS]} by round (unsorted, so rounds pair up): images/s of a, of b, then
     *     images per second of this thread's CPU time for a, for b
     */
    private static double[][] timeAlternating(Runnable a, Runnable b, int batch, Options options) {
        for (int i = 0; i < Math.max(3, options.warmupBatches()); i++) {
            a.run();
            b.run();
        }
        long budget = (long) (options.secondsPerCase() / WINDOWS * 1e9);
        double[][] rates = new double[4][WINDOWS];
        for (int w = 0; w < WINDOWS; w++) {
            for (int turn = 0; turn < 2; turn++) {
                int which = (w + turn) % 2;
                double[] rate = window(which == 0 ? a : b, batch, budget);
                rates[which][w] = rate[0];
                rates[2 + which][w] = rate[1];
            }
        }
        return rates;
    }

    /**
     * Images/s of {@code batchRun} over at least {@code budgetNanos} and at least one batch: by the wall
     * clock, and per second of the calling thread's CPU time.
     */
    private static double[] window(Runnable batchRun, int batch, long budgetNanos) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long elapsed;
        int batches = 0;
        do {
            batchRun.run();
            batches++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < budgetNanos);
        long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
        double images = batches * (double) batch;
        return new double[] {images / (elapsed / 1e9), images / (cpu / 1e9)};
    }

    private static double median(double[] values) {
        double[] copy = values.clone();
        Arrays.sort(copy);
        return copy[copy.length / 2];
    }

    private static double medianRatio(double[] a, double[] b) {
        double[] ratios = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            ratios[i] = a[i] / b[i];
        }
        return median(ratios);
    }

    private static float[] randomImages(int floats) {
        float[] images = new float[floats];
        Random random = new Random(1);
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) random.nextGaussian();
        }
        return images;
    }

    /**
     * The tokens attention runs over: a ViT's patches plus prefix tokens ({@code (S/P)^2 + 1} with a
     * class token), a Swin's first-stage tokens ({@code (S/4)^2}, attended in windows of 49).
     *
     * @throws IllegalArgumentException for a family the benchmark does not know
     */
    static long tokens(BackboneConfig config) {
        if (config instanceof VitConfig vit) {
            return vit.numPatches() + vit.numPrefixTokens();
        }
        if (config instanceof SwinConfig swin) {
            return (long) swin.stageHeight(0) * swin.stageWidth(0);
        }
        throw new IllegalArgumentException(
                "no token count for " + config.getClass().getSimpleName());
    }

    /**
     * Images/s in {@value #WINDOWS} consecutive windows of {@code secondsPerCase / WINDOWS} each (at
     * least one batch per window), sorted ascending: the median resists a neighbour's burst of work on
     * a shared CPU, the best shows what the machine gives when left alone.
     */
    private static double[] time(DjlEngine engine, ModelInfo info, int batch, Options options) {
        float[] images = randomImages(batch * info.floatsPerImage());
        for (int i = 0; i < options.warmupBatches(); i++) {
            engine.infer(images, batch);
        }
        long budget = (long) (options.secondsPerCase() / WINDOWS * 1e9);
        double[] rates = new double[WINDOWS];
        for (int w = 0; w < WINDOWS; w++) {
            rates[w] = window(() -> engine.infer(images, batch), batch, budget)[0];
        }
        Arrays.sort(rates);
        return rates;
    }

    /** Best of several timed n x n x n fp32 matmuls, in GFLOP/s (2 n^3 flops each). */
    static double gemmGflops(int n) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray a = manager.randomNormal(new Shape(n, n));
            NDArray b = manager.randomNormal(new Shape(n, n));
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 6; i++) {
                try (NDManager scope = manager.newSubManager()) {
                    long t0 = System.nanoTime();
                    NDArray c = a.matMul(b);
                    c.attach(scope);
                    c.getFloat(0, 0); // forces completion on asynchronous devices
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                }
            }
            return 2.0 * n * n * n / best / 1e9;
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown CPU (no model name in /proc/cpuinfo)");
        } catch (IOException e) {
            return "unknown CPU (" + e.getMessage() + ")";
        }
    }

    /** The CPU's vector-unit flags from /proc/cpuinfo (what libtorch's kernels can use), space-separated. */
    private static String simdFlags() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("flags"))
                    .findFirst()
                    .map(l -> Arrays.stream(
                                    l.substring(l.indexOf(':') + 1).trim().split("\\s+"))
                            .filter(f ->
                                    f.startsWith("avx") || f.startsWith("amx") || f.equals("fma") || f.equals("f16c"))
                            .collect(Collectors.joining(" ")))
                    .orElse("none listed in /proc/cpuinfo");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
