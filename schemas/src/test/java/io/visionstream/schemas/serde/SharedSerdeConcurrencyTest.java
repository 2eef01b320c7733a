package io.visionstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.SampleRecords;
import io.visionstream.schemas.registry.InMemorySchemaRegistry;
import io.visionstream.schemas.registry.RegistryClientConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One serde instance shared by several stream threads, as when it is passed to Consumed.with. */
class SharedSerdeConcurrencyTest {
    private static final String SCOPE = "shared-serde-concurrency";

    @AfterEach
    void forget() {
        InMemorySchemaRegistry.dropScope(SCOPE);
    }

    @Test
    void oneSerdeServesManyThreads() throws Exception {
        Serde<Prediction> serde =
                AvroSerdes.specific(Prediction.class, Map.of(RegistryClientConfig.URL, "mock://" + SCOPE), false);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Long>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long base = t * 1000L;
                tasks.add(() -> {
                    long ok = 0;
                    for (long i = base; i < base + 300; i++) {
                        Prediction p = Prediction.newBuilder(SampleRecords.prediction())
                                .setSequence(i)
                                .build();
                        Prediction back = serde.deserializer()
                                .deserialize("predictions", serde.serializer().serialize("predictions", p));
                        if (back.equals(p)) {
                            ok++;
                        }
                    }
                    return ok;
                });
            }
            long total = 0;
            for (Future<Long> result : pool.invokeAll(tasks)) {
                total += result.get();
            }
            assertThat(total).isEqualTo(4 * 300);
        } finally {
            pool.shutdownNow();
        }
    }
}
