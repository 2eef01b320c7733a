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
        subcommands = {
            BenchCommand.Engine.class,
            BenchCommand.Pipeline.class,
            BenchCommand.Scale.class,
            BenchCommand.Decode.class,
            BenchCommand.Soak.class
        })
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

        @picocli.CommandLine.Mixin
        BacklogOptions backlog;

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
                wh = pipeline.modelInputSize();
            }
            io.visionstream.app.bench.PipelineBenchmark.run(
                    new io.visionstream.app.bench.PipelineBenchmark.Options(
                            dir,
                            pipeline.batchSize,
                            backlog.batchDelayMs,
                            backlog.frames,
                            wh[0],
                            wh[1],
                            pipeline.partitions,
                            pipeline.cameras,
                            latencyRun,
                            pipeline.workers,
                            backlog.warmupFrames),
                    System.out);
            return 0;
        }
    }

    /** 1 against N processor instances of one application sharing the input partitions. */
    @Command(
            name = "scale",
            mixinStandardHelpOptions = true,
            description = {
                "The same backlog through 1, then N, processor instances of one application sharing the input",
                "partitions (Kafka Streams assigns them), in rounds: total frames/s, each instance's partitions",
                "and frames, and the broker bytes per frame of every topic. Use --workers 1 --threads 1 for one",
                "inference thread per instance."
            })
    static final class Scale implements Callable<Integer> {

        @picocli.CommandLine.Mixin
        PipelineOptions pipeline;

        @Option(
                names = "--instances",
                split = ",",
                defaultValue = "1,2",
                description = "Instance counts to compare, in turn (default: ${DEFAULT-VALUE}).")
        java.util.List<Integer> instances;

        @Option(
                names = "--rounds",
                defaultValue = "2",
                description = "Times each instance count runs (default: ${DEFAULT-VALUE}).")
        int rounds;

        @picocli.CommandLine.Mixin
        BacklogOptions backlog;

        @Override
        public Integer call() throws Exception {
            pipeline.applyThreads();
            java.nio.file.Path dir = pipeline.modelDir();
            int[] wh = pipeline.modelInputSize();
            io.visionstream.app.bench.PipelineBenchmark.Options options;
            io.visionstream.app.bench.ScaleOutBenchmark.Options scale;
            try {
                options = new io.visionstream.app.bench.PipelineBenchmark.Options(
                        dir,
                        pipeline.batchSize,
                        backlog.batchDelayMs,
                        backlog.frames,
                        wh[0],
                        wh[1],
                        pipeline.partitions,
                        pipeline.cameras,
                        java.time.Duration.ZERO,
                        pipeline.workers,
                        backlog.warmupFrames);
                scale = new io.visionstream.app.bench.ScaleOutBenchmark.Options(options, instances, rounds);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(pipeline.spec.commandLine(), e.getMessage());
            }
            io.visionstream.app.bench.ScaleOutBenchmark.run(scale, System.out);
            return 0;
        }
    }

    /** Decode and preprocessing per core, by frame size. */
    @Command(
            name = "decode",
            mixinStandardHelpOptions = true,
            description = {
                "Frames/s of one core decoding JPEG frames of each size, and decoding plus preprocessing them",
                "to a model's input: the stream thread's share of a frame, for capacity planning."
            })
    static final class Decode implements Callable<Integer> {

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--sizes",
                split = ",",
                defaultValue = "64x64,224x224,640x480,1280x720,1920x1080",
                description = "Frame sizes WxH (default: ${DEFAULT-VALUE}).")
        List<String> sizes;

        @Option(
                names = "--model",
                description = "Model directory whose preprocessing to apply (default: models/demo of this checkout)."
                        + " With --input-size, ignored.")
        java.nio.file.Path model;

        @Option(
                names = "--input-size",
                description = "Preprocess to this square size with ImageNet's mean/std, crop 0.875, bicubic (timm's"
                        + " default), instead of a model's.")
        Integer inputSize;

        @Option(
                names = "--megapixels",
                defaultValue = "60",
                description = "Pixels decoded per size and pass, in millions (default: ${DEFAULT-VALUE}).")
        double megapixels;

        @Override
        public Integer call() throws Exception {
            List<int[]> parsed = new java.util.ArrayList<>();
            for (String size : sizes) {
                try {
                    parsed.add(ProduceCommand.parseSize(size));
                } catch (IllegalArgumentException e) {
                    throw new picocli.CommandLine.ParameterException(
                            spec.commandLine(),
                            "--sizes takes WxH sizes with sides 16..4096, e.g. 640x480; got '" + size + "'");
                }
            }
            io.visionstream.inference.image.PreprocessConfig preprocess;
            if (inputSize != null) {
                preprocess = io.visionstream.inference.image.PreprocessConfig.fromTimm(
                        new int[] {3, inputSize, inputSize},
                        new double[] {0.485, 0.456, 0.406},
                        new double[] {0.229, 0.224, 0.225},
                        0.875,
                        "bicubic");
            } else {
                java.nio.file.Path dir = model != null
                        ? model
                        : java.nio.file.Path.of(System.getProperty("vision.home", "."))
                                .resolve("models/demo");
                preprocess = io.visionstream.inference.weights.TimmCheckpoints.readConfig(dir)
                        .preprocess();
            }
            io.visionstream.app.bench.DecodeBenchmark.Options options;
            try {
                options = new io.visionstream.app.bench.DecodeBenchmark.Options(
                        parsed, preprocess, Math.round(megapixels * 1e6));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            io.visionstream.app.bench.DecodeBenchmark.run(options, System.out);
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
            int[] wh = pipeline.modelInputSize();
            var report = io.visionstream.app.bench.PipelineSoak.run(
                    new io.visionstream.app.bench.PipelineSoak.Options(
                            dir,
                            frames,
                            pipeline.batchSize,
                            pipeline.partitions,
                            pipeline.cameras,
                            wh[0],
                            wh[1],
                            poisonEvery,
                            sampleEvery,
                            backlog,
                            pipeline.workers),
                    System.out);
            return report.verification().clean() ? 0 : 1;
        }
    }

    /** Options of the benchmarks that time a backlog through the pipeline. */
    static final class BacklogOptions {

        @Option(
                names = "--frames",
                defaultValue = "6000",
                description = "Frames per timed run (default: ${DEFAULT-VALUE}).")
        int frames;

        @Option(
                names = "--warmup-frames",
                defaultValue = "40000",
                description = "Frames through an untimed pipeline first (the backlog's frames in turn), so the"
                        + " timed runs use compiled code; the pipeline benchmark prints the cores the JIT still"
                        + " used in each timed phase (default: ${DEFAULT-VALUE}).")
        int warmupFrames;

        @Option(
                names = "--batch-delay-ms",
                defaultValue = "50",
                description = "max.batch.delay.ms (default: ${DEFAULT-VALUE}).")
        long batchDelayMs;
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

        /** The model's input size, {width, height}, from its config.json. */
        int[] modelInputSize() throws java.io.IOException {
            var input = io.visionstream.inference.weights.TimmCheckpoints.readConfig(modelDir())
                    .preprocess();
            return new int[] {input.width(), input.height()};
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
