package io.visionstream.topology.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.ImageEncoding;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.training.synthetic.SceneConfig;
import io.visionstream.training.synthetic.SyntheticScenes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** The processor as {@code ./vision run} starts it: a model directory from disk, topics it creates. */
class ProcessorInstanceIT {

    /** The tiny timm-layout model the inference module's fixture script made with torchvision. */
    private static final Path MODEL = Path.of("../inference/src/test/resources/fixtures/vit/tiny");

    @Test
    void startsCreatesItsTopicsSizedForFramesProcessesFramesAndStopsCleanly() throws Exception {
        String registry = "mock://processor-it-" + UUID.randomUUID();
        try (EmbeddedKafkaCluster kafka =
                EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(16 << 20))) {
            Map<String, String> settings = new HashMap<>();
            settings.put("bootstrap.servers", kafka.bootstrapServers());
            settings.put("schema.registry.url", registry);
            settings.put("model.dir", MODEL.toString());
            settings.put("topics.partitions", "3");
            settings.put("state.dir", Files.createTempDirectory("processor-it").toString());
            VisionConfig config = VisionConfig.from(settings);

            try (ProcessorInstance processor = ProcessorInstance.start(config)) {
                assertThat(processor.awaitRunning(Duration.ofSeconds(60))).isTrue();
                try (Admin admin = kafka.admin()) {
                    assertThat(admin.listTopics().names().get())
                            .contains("frames", "predictions", "embeddings", "frames-dlq");
                }
                produceFrames(kafka, registry, 6);
                List<Prediction> out = consumePredictions(kafka, registry, 6);
                assertThat(out).hasSize(6);
                assertThat(out).allSatisfy(p -> {
                    assertThat(p.getLineage().getModelName()).isEqualTo("tiny");
                    assertThat(p.getLineage().getModelVersion())
                            .startsWith("sha256:")
                            .hasSize(19);
                    assertThat(p.getTopK()).hasSize(5);
                });
            }
        }
    }

    private static void produceFrames(EmbeddedKafkaCluster kafka, String registry, int n) throws Exception {
        var serializer = AvroSerdes.specific(Frame.class, Map.of("schema.registry.url", registry), false)
                .serializer();
        SyntheticScenes scenes = new SyntheticScenes(SceneConfig.defaults(64, 48), 3);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                String source = "cam-" + (i % 2);
                Frame frame = Frame.newBuilder()
                        .setSourceId(source)
                        .setSequence(i)
                        .setCaptureTime(Instant.now())
                        .setEncoding(ImageEncoding.JPEG)
                        .setWidth(64)
                        .setHeight(48)
                        .setImage(ByteBuffer.wrap(
                                ImageEncoder.jpeg(scenes.scene(i).image(), 90)))
                        .setMetadata(null)
                        .build();
                producer.send(new ProducerRecord<>(
                                "frames",
                                source.getBytes(StandardCharsets.UTF_8),
                                serializer.serialize("frames", frame)))
                        .get();
            }
        }
    }

    private static List<Prediction> consumePredictions(EmbeddedKafkaCluster kafka, String registry, int n) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var values = AvroSerdes.specific(Prediction.class, Map.of("schema.registry.url", registry), false)
                .deserializer();
        List<Prediction> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
            consumer.subscribe(List.of("predictions"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }
}
