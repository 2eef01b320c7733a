package io.visionstream.inference.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.inference.image.Fixtures.TensorFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PreprocessorConcurrencyTest {

    @Test
    void oneInstanceSharedByThreadsGivesTheReferenceResultForEveryImageSize() throws Exception {
        // All sq32_bicubic fixtures share one config but differ in source size: threads interleave plan
        // creation, cache hits and scratch reuse on one Preprocessor.
        List<TensorFixture> cases = Fixtures.tensors().stream()
                .filter(t -> t.caseName().equals("sq32_bicubic"))
                .toList();
        Preprocessor shared = new Preprocessor(cases.get(0).preprocessConfig());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Double>> results = new ArrayList<>();
            for (int round = 0; round < 25; round++) {
                for (TensorFixture t : cases) {
                    results.add(pool.submit(() -> {
                        float[] out = new float[shared.floatsPerImage()];
                        shared.preprocess(Fixtures.pilRgb(Fixtures.image(t.image())), out, 0);
                        float[] expected = Fixtures.floats(t.file());
                        double max = 0;
                        for (int i = 0; i < out.length; i++) {
                            max = Math.max(max, Math.abs(out[i] - expected[i]));
                        }
                        return max;
                    }));
                }
            }
            for (Future<Double> r : results) {
                assertThat(r.get(30, TimeUnit.SECONDS)).isLessThanOrEqualTo(1e-6);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
