package io.visionstream.topology.processing;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.topology.config.VisionConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class StreamsPropertiesTest {

    private static Properties of(Map<String, String> extra) {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", "broker:9092");
        s.put("schema.registry.url", "mock://streams-properties");
        s.put("model.dir", "m");
        s.putAll(extra);
        return StreamsProperties.of(VisionConfig.from(s));
    }

    @Test
    void theTransactionTimeoutLeavesRoomForABatchWaitingBehindOthers() {
        assertThat(of(Map.of())).containsEntry("producer.transaction.timeout.ms", 60_000);
    }

    @Test
    void aConfiguredTransactionTimeoutIsKeptWithOrWithoutThePrefix() {
        Properties prefixed = of(Map.of("producer.transaction.timeout.ms", "20000"));
        assertThat(prefixed).containsEntry("producer.transaction.timeout.ms", "20000");
        Properties plain = of(Map.of("transaction.timeout.ms", "30000"));
        assertThat(plain).containsEntry("transaction.timeout.ms", "30000");
        assertThat(plain).doesNotContainKey("producer.transaction.timeout.ms");
    }
}
