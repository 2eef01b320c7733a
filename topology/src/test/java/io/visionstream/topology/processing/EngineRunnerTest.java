package io.visionstream.topology.processing;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.inference.engine.EngineOptions;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.inference.engine.InferenceEngines;
import io.visionstream.inference.engine.InputBatch;
import io.visionstream.inference.engine.InputBatchPool;
import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.FrameFormat;
import io.visionstream.inference.image.ImageDecoder;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.inference.image.Preprocessor;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.topology.metrics.VisionMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inference worker's part of a batch: the engine reading the frames' slots, and the frames' masks. */
class EngineRunnerTest {

    @TempDir
    static Path dir;

    private static InferenceEngine engine;
    private static Preprocessor preprocessor;
    private static TestFrames frames;
    private static OutputRecords outputs;

    @BeforeAll
    static void open() throws Exception {
        engine = InferenceEngines.open(
                TestFrames.segmentingModel(dir), EngineOptions.defaults().withDevice("cpu"));
        preprocessor = new Preprocessor(engine.info().preprocess());
        frames = new TestFrames(Map.of("schema.registry.url", "mock://runner-" + UUID.randomUUID()));
        outputs =
                new OutputRecords(new ModelIdentity("seg", "v1"), engine.info().segmentationClasses(), preprocessor);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** Frame {@code sequence} preprocessed into {@code slot} of {@code batch}, as the stream thread does it. */
    private static PreparedFrame prepared(long sequence, InputBatch batch, int slot) throws Exception {
        Frame frame = frames.frame("cam-a", sequence, 1_000);
        var image = new ImageDecoder(DecodeLimits.defaults()).decode(frames.jpeg(sequence), FrameFormat.JPEG);
        InputSlot into = new InputSlot(batch, slot);
        preprocessor.preprocess(image, into.floats());
        InputRecord in = new InputRecord("frames", 0, sequence, TestFrames.key("cam-a"), new byte[1], 1_000);
        return new PreparedFrame(in, frame, into, image.width(), image.height(), 1_000);
    }

    @Test
    void framesWhoseSlotsSkipOneArePackedAndGetTheResultsOfTheSameFramesInARun() throws Exception {
        InputBatchPool pool = new InputBatchPool(4, engine.info().floatsPerImage());
        EngineRunner runner = new EngineRunner(engine, pool, outputs, false, VisionMetrics.none());
        InputBatch inARun = InputBatch.allocate(4, engine.info().floatsPerImage());
        InputBatch withAGap = InputBatch.allocate(4, engine.info().floatsPerImage());
        List<PreparedFrame> run = List.of(prepared(1, inARun, 0), prepared(2, inARun, 1), prepared(3, inARun, 2));
        // slot 1 was taken by a frame whose task was closed while the batch formed
        List<PreparedFrame> gap = List.of(prepared(1, withAGap, 0), prepared(2, withAGap, 2), prepared(3, withAGap, 3));

        List<FrameResult> expected = runner.run(run);
        List<FrameResult> packed = runner.run(gap);

        for (int i = 0; i < 3; i++) {
            assertThat(packed.get(i).image().logits())
                    .containsExactly(expected.get(i).image().logits());
            assertThat(packed.get(i).image().classMap())
                    .isEqualTo(expected.get(i).image().classMap());
            assertThat(packed.get(i).maskPng()).isNull();
        }
        assertThat(pool.idle()).as("the spare used for packing went back").isEqualTo(1);
    }

    @Test
    void theWorkerHandsBackEachFramesMaskProjectedToTheFrameAndEncoded() throws Exception {
        InputBatchPool pool = new InputBatchPool(2, engine.info().floatsPerImage());
        EngineRunner runner = new EngineRunner(engine, pool, outputs, true, VisionMetrics.none());
        InputBatch batch = pool.take();
        List<PreparedFrame> batchFrames = List.of(prepared(4, batch, 0), prepared(5, batch, 1));
        ExecutorService worker = Executors.newSingleThreadExecutor();
        List<FrameResult> results;
        try {
            results = worker.submit(() -> runner.run(batchFrames)).get(60, TimeUnit.SECONDS);
        } finally {
            worker.shutdownNow();
        }

        for (int i = 0; i < 2; i++) {
            FrameResult r = results.get(i);
            byte[] expected = preprocessor.projectToFrame(
                    r.image().classMap(), TestFrames.WIDTH, TestFrames.HEIGHT, OutputRecords.UNSEEN);
            byte[] mask = ImageEncoder.decodeMask(r.maskPng(), DecodeLimits.defaults());
            assertThat(mask).isEqualTo(expected);
        }
    }
}
