package io.visionstream.topology.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VisionConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", "localhost:9092");
        s.put("schema.registry.url", "http://localhost:8081");
        s.put("model.dir", "models/demo");
        return s;
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> s = minimal();
        s.put(key, value);
        return s;
    }

    @Test
    void defaultsApplyWhereNothingIsSet() {
        VisionConfig c = VisionConfig.from(minimal());
        assertThat(c.applicationId()).isEqualTo("visionstream");
        assertThat(c.topics())
                .isEqualTo(new VisionConfig.Topics("frames", "predictions", "embeddings", "masks", "frames-dlq"));
        assertThat(c.maxBatchSize()).isEqualTo(16);
        assertThat(c.maxBatchDelayMs()).isEqualTo(50);
        assertThat(c.maxInFlightBatches()).isZero();
        assertThat(c.inFlightBatchesPerThread()).isEqualTo(2);
        assertThat(c.inferenceWorkers()).isEqualTo(1);
        assertThat(c.inferenceThreads()).isZero();
        assertThat(c.inferenceTimeoutMs()).isEqualTo(60_000);
        assertThat(c.maxFrameAgeMs()).isZero();
        assertThat(c.maxFrameBytes()).isEqualTo(8 << 20);
        assertThat(c.processingGuarantee()).isEqualTo("exactly_once_v2");
        assertThat(c.device()).isEqualTo("auto");
        assertThat(c.modelDir()).isEqualTo(Path.of("models/demo"));
        assertThat(c.schemaRegistry()).containsExactly(Map.entry("schema.registry.url", "http://localhost:8081"));
    }

    @Test
    void aMissingModelDirIsNamed() {
        Map<String, String> s = minimal();
        s.remove("model.dir");
        assertThatThrownBy(() -> VisionConfig.from(s))
                .isInstanceOf(ConfigException.class)
                .hasMessage("model.dir is required: the model directory to serve");
    }

    @Test
    void aMissingBootstrapServersIsNamed() {
        Map<String, String> s = minimal();
        s.remove("bootstrap.servers");
        assertThatThrownBy(() -> VisionConfig.from(s)).hasMessage("bootstrap.servers is required");
    }

    @Test
    void aMalformedNumberNamesTheKeyAndValue() {
        assertThatThrownBy(() -> VisionConfig.from(with("max.batch.size", "lots")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("max.batch.size must be an integer, got 'lots'");
    }

    @Test
    void anOutOfRangeValueNamesTheRange() {
        assertThatThrownBy(() -> VisionConfig.from(with("max.batch.size", "0")))
                .hasMessage("max.batch.size must be between 1 and 4096, got 0");
        assertThatThrownBy(() -> VisionConfig.from(with("max.frame.bytes", "100")))
                .hasMessage("max.frame.bytes must be between 1024 and 268435456, got 100");
        assertThatThrownBy(() -> VisionConfig.from(with("max.inflight.batches", "-1")))
                .hasMessage("max.inflight.batches must be between 0 and 64, got -1");
        assertThatThrownBy(() -> VisionConfig.from(with("inference.workers", "0")))
                .hasMessage("inference.workers must be between 1 and 64, got 0");
        assertThatThrownBy(() -> VisionConfig.from(with("inference.threads", "-1")))
                .hasMessage("inference.threads must be between 0 and 1024, got -1");
    }

    @Test
    void deviceNamesOneGpuOfSeveralAsGpuColonN() {
        assertThat(VisionConfig.from(with("device", "gpu:1")).device()).isEqualTo("gpu:1");
        assertThat(VisionConfig.from(with("device", "GPU:0")).device()).isEqualTo("gpu:0");
        assertThat(VisionConfig.from(with("device", "gpu")).device()).isEqualTo("gpu");
        assertThat(VisionConfig.from(with("device", "cpu")).device()).isEqualTo("cpu");
    }

    @Test
    void aMalformedDeviceNamesTheKeyTheFormsAndTheValue() {
        for (String bad : List.of("cuda", "gpu:", "gpu:-1", "gpu:01", "gpu:one", "cuda:0")) {
            assertThatThrownBy(() -> VisionConfig.from(with("device", bad)))
                    .as("device=%s", bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("device must be auto, cpu, gpu or gpu:N (N the index of one GPU, from 0), got '" + bad
                            + "'");
        }
    }

    @Test
    void inferenceTimeoutIsASecondToAnHourWithNoNever() {
        assertThat(VisionConfig.from(with("inference.timeout.ms", "1000")).inferenceTimeoutMs())
                .isEqualTo(1_000);
        assertThat(VisionConfig.from(with("inference.timeout.ms", "3600000")).inferenceTimeoutMs())
                .isEqualTo(3_600_000);
        assertThatThrownBy(() -> VisionConfig.from(with("inference.timeout.ms", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("inference.timeout.ms must be between 1000 and 3600000, got 0");
        assertThatThrownBy(() -> VisionConfig.from(with("inference.timeout.ms", "3600001")))
                .hasMessage("inference.timeout.ms must be between 1000 and 3600000, got 3600001");
        assertThatThrownBy(() -> VisionConfig.from(with("inference.timeout.ms", "60s")))
                .hasMessage("inference.timeout.ms must be an integer, got '60s'");
    }

    @Test
    void metricsAreServedOnPort9464WithUpToAHundredCamerasByDefault() {
        assertThat(VisionConfig.from(minimal()).metrics()).isEqualTo(new VisionConfig.Metrics(9464, true, 100));
    }

    @Test
    void metricsPortMinusOneTurnsTheServerOffAndZeroPicksAFreePort() {
        assertThat(VisionConfig.from(with("metrics.port", "-1")).metrics().serves())
                .isFalse();
        assertThat(VisionConfig.from(with("metrics.port", "0")).metrics().serves())
                .isTrue();
    }

    @Test
    void badMetricsSettingsNameTheKeyAndValue() {
        assertThatThrownBy(() -> VisionConfig.from(with("metrics.port", "-2")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("metrics.port must be -1 (off), 0 (any free port) or a port up to 65535, got -2");
        assertThatThrownBy(() -> VisionConfig.from(with("metrics.port", "http")))
                .hasMessage("metrics.port must be an integer, got 'http'");
        assertThatThrownBy(() -> VisionConfig.from(with("metrics.cameras.max", "0")))
                .hasMessage("metrics.cameras.max must be between 1 and 10000, got 0");
        assertThatThrownBy(() -> VisionConfig.from(with("metrics.cameras.enabled", "off")))
                .hasMessage("metrics.cameras.enabled must be true or false, got 'off'");
    }

    @Test
    void inFlightBatchesFollowTheWorkersUnlessSet() {
        Map<String, String> s = with("inference.workers", "3");
        assertThat(VisionConfig.from(s).inFlightBatchesPerThread()).isEqualTo(4);
        s.put("max.inflight.batches", "2");
        assertThat(VisionConfig.from(s).inFlightBatchesPerThread()).isEqualTo(2);
    }

    @Test
    void aMalformedBooleanIsRefused() {
        assertThatThrownBy(() -> VisionConfig.from(with("masks.enabled", "yes")))
                .hasMessage("masks.enabled must be true or false, got 'yes'");
    }

    @Test
    void anUnknownProcessingGuaranteeIsRefused() {
        assertThatThrownBy(() -> VisionConfig.from(with("processing.guarantee", "exactly_once")))
                .hasMessage("processing.guarantee must be exactly_once_v2 or at_least_once, got 'exactly_once'");
    }

    @Test
    void aTypoInAKeyFailsInsteadOfBeingIgnored() {
        assertThatThrownBy(() -> VisionConfig.from(with("max.bach.size", "8")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "unknown setting 'max.bach.size': not a vision setting, nor a Kafka or schema-registry client setting");
    }

    @Test
    void anIllegalTopicNameIsRefused() {
        assertThatThrownBy(() -> VisionConfig.from(with("predictions.topic", "bad topic")))
                .hasMessage("predictions.topic must be a legal Kafka topic name, got 'bad topic'");
    }

    @Test
    void theInputTopicCannotAlsoBeAnOutput() {
        assertThatThrownBy(() -> VisionConfig.from(with("dead.letter.topic", "frames")))
                .hasMessage("input.topic 'frames' must differ from every output topic");
    }

    @Test
    void kafkaClientSecuritySettingsPassThroughUnchanged() {
        Map<String, String> s = minimal();
        s.put("security.protocol", "SASL_SSL");
        s.put("sasl.mechanism", "PLAIN");
        s.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p4ss\";");
        s.put("ssl.truststore.location", "/etc/kafka/truststore.jks");
        s.put("producer.compression.type", "lz4");
        VisionConfig c = VisionConfig.from(s);
        assertThat(c.kafka())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.jks")
                .containsEntry("producer.compression.type", "lz4")
                .containsKey("sasl.jaas.config");
    }

    @Test
    void schemaRegistrySettingsGoToTheSerdes() {
        Map<String, String> s = minimal();
        s.put("basic.auth.credentials.source", "USER_INFO");
        s.put("basic.auth.user.info", "svc:s3cret");
        s.put("schema.registry.ssl.truststore.location", "/etc/sr/truststore.jks");
        VisionConfig c = VisionConfig.from(s);
        assertThat(c.schemaRegistry())
                .containsEntry("basic.auth.credentials.source", "USER_INFO")
                .containsEntry("basic.auth.user.info", "svc:s3cret")
                .containsEntry("schema.registry.ssl.truststore.location", "/etc/sr/truststore.jks");
        assertThat(c.kafka()).doesNotContainKey("basic.auth.user.info");
    }

    @Test
    void printingTheConfigNeverShowsASecret() {
        Map<String, String> s = minimal();
        s.put("sasl.jaas.config", "PlainLoginModule required username=\"u\" password=\"p4ss\";");
        s.put("ssl.keystore.password", "k3ystore");
        s.put("basic.auth.user.info", "svc:s3cret");
        VisionConfig c = VisionConfig.from(s);
        assertThat(c.toString())
                .doesNotContain("p4ss")
                .doesNotContain("k3ystore")
                .doesNotContain("s3cret")
                .contains("sasl.jaas.config=[hidden]")
                .contains("basic.auth.user.info=[hidden]")
                .contains("bootstrap.servers=localhost:9092");
    }

    @Test
    void printingTheConfigMasksUserInfoInTheRegistryUrl() {
        VisionConfig c = VisionConfig.from(with("schema.registry.url", "https://svc:s3cret@sr:8081"));
        assertThat(c.toString()).doesNotContain("s3cret").contains("schema.registry.url=https://[hidden]@sr:8081");
    }

    @Test
    void printingTheConfigMasksEveryPasswordKafkaDefinesEvenWithoutPasswordInItsName() {
        VisionConfig c = VisionConfig.from(with("sasl.oauthbearer.assertion.private.key.passphrase", "phr4se"));
        assertThat(c.toString())
                .doesNotContain("phr4se")
                .contains("sasl.oauthbearer.assertion.private.key.passphrase=[hidden]");
    }

    @Test
    void printingClientSettingsNeverShowsASecret() {
        Map<String, String> s = minimal();
        s.put("sasl.jaas.config", "PlainLoginModule required username=\"u\" password=\"p4ss\";");
        s.put("basic.auth.user.info", "svc:s3cret");
        ClientSettings c = ClientSettings.from(s);
        assertThat(c.toString())
                .doesNotContain("p4ss")
                .doesNotContain("s3cret")
                .contains("sasl.jaas.config=[hidden]")
                .contains("basic.auth.user.info=[hidden]")
                .contains("bootstrap.servers=localhost:9092");
    }

    @Test
    void tlsKeyAndTrustStorePasswordsPassThroughAndArePrintedMaskedByTheProcessorAndTheClients() {
        Map<String, String> s = minimal();
        s.put("security.protocol", "SSL");
        s.put("ssl.keystore.type", "PKCS12");
        s.put("ssl.keystore.location", "/etc/vision/client.p12");
        s.put("ssl.keystore.password", "k3ystore");
        s.put("ssl.key.password", "k3y");
        s.put("ssl.truststore.location", "/etc/vision/truststore.p12");
        s.put("ssl.truststore.password", "tru5t");
        s.put("restore.consumer.ssl.key.password", "r3store");
        VisionConfig c = VisionConfig.from(s);
        assertThat(c.kafka())
                .containsEntry("ssl.keystore.password", "k3ystore")
                .containsEntry("ssl.key.password", "k3y")
                .containsEntry("ssl.truststore.password", "tru5t")
                .containsEntry("restore.consumer.ssl.key.password", "r3store");
        for (String printed : List.of(c.toString(), ClientSettings.from(s).toString())) {
            assertThat(printed)
                    .doesNotContain("k3ystore", "k3y", "tru5t", "r3store")
                    .contains("ssl.keystore.password=[hidden]")
                    .contains("ssl.key.password=[hidden]")
                    .contains("ssl.truststore.password=[hidden]")
                    .contains("restore.consumer.ssl.key.password=[hidden]")
                    .contains("ssl.keystore.location=/etc/vision/client.p12");
        }
    }

    @Test
    void environmentVariablesFollowConfluentsNamingConvention() {
        Map<String, String> env = Map.of(
                "VISION_SCHEMA_REGISTRY_URL", "http://sr:8081",
                "VISION_MAX_BATCH_SIZE", "32",
                "VISION_SOME__DASHED_KEY", "a",
                "VISION_UNDER___SCORE", "b",
                "PATH", "/usr/bin");
        assertThat(Sources.fromEnvironment(env))
                .containsOnly(
                        Map.entry("schema.registry.url", "http://sr:8081"),
                        Map.entry("max.batch.size", "32"),
                        Map.entry("some-dashed.key", "a"),
                        Map.entry("under_score", "b"));
    }

    @Test
    void aPropertiesFileIsRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vision.properties");
        Files.writeString(file, "bootstrap.servers = broker:9092\nmax.batch.delay.ms=20\n");
        assertThat(Sources.fromFile(file))
                .containsOnly(Map.entry("bootstrap.servers", "broker:9092"), Map.entry("max.batch.delay.ms", "20"));
    }

    @Test
    void anUnreadablePropertiesFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> Sources.fromFile(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cannot read config file " + missing);
    }
}
