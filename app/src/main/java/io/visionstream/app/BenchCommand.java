package io.visionstream.app;

import io.visionstream.app.bench.EngineBenchmark;
import io.visionstream.inference.engine.EngineOptions;
import io.visionstream.inference.engine.Precision;
import io.visionstream.processor.DurationConverter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Benchmarks; numbers are printed with the machine and settings, never asserted. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks that print numbers with the machine and the settings.",
        subcommands = {BenchCommand.Engine.class, BenchCommand.Pipeline.class, BenchCommand.Soak.class})
final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The raw engine: images/s per model and batch size next to measured fp32 matmul GFLOP/s. */
    @Command(
            name = "engine",
            mixinStandardHelpOptions = true,
            description = {
                "Images/s of the inference engine per model and batch size (random weights), next to the",
                "measured fp32 matmul GFLOP/s and the model's FLOPs, so the fraction of the ceiling shows."
            })
    static final class Engine implements Callable<Integer> {

        @Option(
                names = "--models",
                split = ",",
                defaultValue = "vit_tiny_patch16_224,vit_small_patch16_224",
                description = "timm architecture names of any registered family: ViT, DeiT, Swin, the ResNetV2 hybrids"
                        + " (vit_tiny_r_s16_p8_224, vit_small_r26_s32_224, ...), each at its default size"
                        + " (default: ${DEFAULT-VALUE}).")
        List<String> models;

        @Option(
                names = "--batch-sizes",
                split = ",",
                defaultValue = "1,8,32",
                description = "Batch sizes (default: ${DEFAULT-VALUE}).")
        List<Integer> batchSizes;

        @Option(
                names = "--sizes",
                split = ",",
                description = "Square input sizes to run every model at, e.g. 224,320,448: prints tokens, GFLOP"
                        + " per image and time per image relative to the first size (default: each model at its"
                        + " own size).")
        List<Integer> sizes = List.of();

        @Option(
                names = "--seconds",
                defaultValue = "5",
                description = "Measured seconds per case (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(
                names = "--warmup",
                defaultValue = "3",
                description = "Warm-up batches per case (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(
                names = "--gemm",
                defaultValue = "2048",
                description = "Matmul size n for n^3 (default: ${DEFAULT-VALUE}).")
        int gemm;

        @Option(
                names = "--device",
                defaultValue = "auto",
                description = "auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
        String device;

        @Option(
                names = "--precision",
                defaultValue = "FP32",
                description = "FP32, FP16, BF16 (default: ${DEFAULT-VALUE}).")
        Precision precision;

        @Option(
                names = "--torchscript",
                paramLabel = "DIR",
                description = "A directory with <model>.pt TorchScript files (torchvision's ViT, written by"
                        + " inference/src/test/python/export_torchscript_baseline.py): each case also times that"
                        + " module in the same libtorch, in alternating windows, and prints ours / TorchScript."
                        + " FP32 on the CPU, default sizes only.")
        java.nio.file.Path torchscript;

        @picocli.CommandLine.Mixin
        ThreadsOption threads;

        @Override
        public Integer call() {
            threads.apply();
            EngineBenchmark.run(
                    new EngineBenchmark.Options(
                            models,
                            batchSizes,
                            seconds,
                            warmup,
                            gemm,
                            new EngineOptions(5, precision, device),
                            sizes,
                            torchscript),
                    System.out);
            return 0;
        }
    }

    /** The engine alone and the whole Kafka pipeline, in one process and one run. */
    @Command(
            name = "pipeline",
            mixinStandardHelpOptions = true,
            description = {
                "The engine alone on pre-made batches and the whole pipeline through the embedded broker (same",
                "model, same batch size) and their ratio; batch sizes formed; p50/p99 end-to-end latency at half",
                "the measured maximum load; JPEG decode frames/s on one core; changelog bytes per frame."
            })
    static final class Pipeline implements Callable<Integer> {

        @picocli.CommandLine.Mixin
        PipelineOptions pipeline;

        @Option(
                names = "--batch-delay-ms",
                defaultValue = "50",
                description = "max.batch.delay.ms (default: ${DEFAULT-VALUE}).")
        long batchDelayMs;

        @Option(
                names = "--frames",
                defaultValue = "6000",
                description = "Frames per throughput run (default: ${DEFAULT-VALUE}).")
        int frames;

        @Option(
                names = "--warmup-frames",
                defaultValue = "40000",
                description = "Frames through an untimed pipeline first (the backlog's frames in turn), so the"
                        + " timed one runs after the JIT has mostly settled; each timed phase prints the cores"
                        + " the JIT still used (default: ${DEFAULT-VALUE}).")
        int warmupFrames;

        @Option(names = "--size", description = "Frame size WxH (default: the model's input size).")
        String size;

        @Option(
                names = "--latency-run",
                defaultValue = "30s",
                converter = DurationConverter.class,
                description = "How long to offer half the maximum load (default: ${DEFAULT-VALUE}).")
        java.time.Duration latencyRun;

        @Override
        public Integer call() throws Exception {
            pipeline.applyThreads();
            java.nio.file.Path dir = pipeline.modelDir();
            int[] wh;
            if (size != null) {
                wh = ProduceCommand.parseSize(size);
            } else {
                var input = io.visionstream.inference.weights.TimmCheckpoints.readConfig(dir)
                        .preprocess();
                wh = new int[] {input.width(), input.height()};
            }
            io.visionstream.app.bench.PipelineBenchmark.run(
                    new io.visionstream.app.bench.PipelineBenchmark.Options(
                            dir,
                            pipeline.batchSize,
                            batchDelayMs,
                            frames,
                            wh[0],
                            wh[1],
                            pipeline.partitions,
                            pipeline.cameras,
                            latencyRun,
                            pipeline.workers,
                            warmupFrames),
                    System.out);
            return 0;
        }
    }

    /** The memory soak: many frames through the whole pipeline, memory printed at intervals. */
    @Command(
            name = "soak",
            mixinStandardHelpOptions = true,
            description = {
                "Pushes many frames (and some poison) through the embedded broker and the processor, printing",
                "resident memory, heap after GC, JVM native memory and NIO buffer pools at intervals, then checks",
                "that every record got exactly one outcome. Add -XX:NativeMemoryTracking=summary to",
                "VISION_JAVA_OPTS to see the JVM's native memory."
            })
    static final class Soak implements Callable<Integer> {

        @picocli.CommandLine.Mixin
        PipelineOptions pipeline;

        @Option(
                names = "--frames",
                defaultValue = "100000",
                description = "Records to send, poison included (default: ${DEFAULT-VALUE}).")
        long frames;

        @Option(
                names = "--poison-every",
                defaultValue = "100",
                description =
                        "Every n-th record is random bytes, a dead letter; 0 for none (default: ${DEFAULT-VALUE}).")
        int poisonEvery;

        @Option(
                names = "--sample-every",
                defaultValue = "5000",
                description = "Outcomes between memory samples (default: ${DEFAULT-VALUE}).")
        long sampleEvery;

        @Option(
                names = "--backlog",
                defaultValue = "2000",
                description = "Records sent ahead of the outcomes, at most (default: ${DEFAULT-VALUE}).")
        int backlog;

        @Override
        public Integer call() throws Exception {
            pipeline.applyThreads();
            java.nio.file.Path dir = pipeline.modelDir();
            var input = io.visionstream.inference.weights.TimmCheckpoints.readConfig(dir)
                    .preprocess();
            var report = io.visionstream.app.bench.PipelineSoak.run(
                    new io.visionstream.app.bench.PipelineSoak.Options(
                            dir,
                            frames,
                            pipeline.batchSize,
                            pipeline.partitions,
                            pipeline.cameras,
                            input.width(),
                            input.height(),
                            poisonEvery,
                            sampleEvery,
                            backlog,
                            pipeline.workers),
                    System.out);
            return report.verification().clean() ? 0 : 1;
        }
    }

    /** Options the pipeline benchmarks share. */
    static final class PipelineOptions {

        @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--model", description = "Model directory (default: models/demo of this checkout).")
        java.nio.file.Path model;

        @Option(names = "--batch-size", defaultValue = "16", description = "Batch size (default: ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(
                names = "--partitions",
                defaultValue = "4",
                description = "Input partitions (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--cameras", defaultValue = "8", description = "Sources (keys) (default: ${DEFAULT-VALUE}).")
        int cameras;

        @picocli.CommandLine.Mixin
        ThreadsOption threads;

        @Option(
                names = "--workers",
                defaultValue = "1",
                description = "Inference workers, as inference.workers: batches run side by side on the model"
                        + " (default: ${DEFAULT-VALUE}).")
        int workers;

        java.nio.file.Path modelDir() {
            return model != null
                    ? model
                    : java.nio.file.Path.of(System.getProperty("vision.home", "."))
                            .resolve("models/demo");
        }

        /** Checks --workers and sets inference.threads before anything runs. */
        void applyThreads() {
            if (workers < 1) {
                throw new picocli.CommandLine.ParameterException(
                        spec.commandLine(), "--workers must be >= 1, got " + workers);
            }
            threads.apply();
        }
    }

    /** {@code --threads}: libtorch's intra-op threads for a whole benchmark. */
    static final class ThreadsOption {

        @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--threads",
                defaultValue = "0",
                description = "libtorch intra-op threads for the whole run, as inference.threads; 0 keeps libtorch's"
                        + " default (default: ${DEFAULT-VALUE}).")
        int threads;

        /** Sets inference.threads before anything runs, so every part of the benchmark shares it. */
        void apply() {
            if (threads < 0) {
                throw new picocli.CommandLine.ParameterException(
                        spec.commandLine(), "--threads must be >= 0, got " + threads);
            }
            if (threads > 0) {
                io.visionstream.inference.engine.InferenceEngines.setIntraOpThreads(threads);
            }
        }
    }
}
