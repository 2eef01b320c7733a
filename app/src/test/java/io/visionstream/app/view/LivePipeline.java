package io.visionstream.app.view;

import io.visionstream.app.cameras.CameraFleet;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.registry.LocalSchemaRegistryServer;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.testkit.ScratchDirectories;
import io.visionstream.topology.config.ClientSettings;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.runtime.ProcessorInstance;
import io.visionstream.topology.topics.FrameSizing;
import io.visionstream.training.synthetic.SceneConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the viewer's integration tests watch: an in-process broker and schema registry, the processor with
 * the shipped demo model (64x64, with a dense head), synthetic cameras, and the viewer on a free port.
 */
final class LivePipeline implements AutoCloseable {

    /** The shipped demo model: its masks show shapes, so pictures have overlay pixels. */
    static final Path MODEL = Path.of("../models/demo");

    final LocalSchemaRegistryServer registry;
    final EmbeddedKafkaCluster kafka;
    final VisionConfig config;
    final ProcessorInstance processor;
    final Viewer viewer;
    final KafkaProducer<byte[], byte[]> producer;
    final CameraFleet cameras;
    /** Every frame the broker acknowledged, by {@code camera#sequence}. */
    final Map<String, Frame> sent = new ConcurrentHashMap<>();

    private LivePipeline(int cameras, double fps) throws Exception {
        registry = LocalSchemaRegistryServer.start(0);
        kafka = EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(32 << 20));
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put("schema.registry.url", registry.url());
        settings.put("application.id", "viewer-it");
        settings.put("model.dir", MODEL.toString());
        settings.put("state.dir", Files.createTempDirectory("viewer-it").toString());
        settings.put("topics.partitions", "2");
        settings.put("max.batch.size", "8");
        settings.put("max.batch.delay.ms", "30");
        config = VisionConfig.from(settings);
        processor = ProcessorInstance.start(config);
        if (!processor.awaitRunning(Duration.ofSeconds(120))) {
            throw new IllegalStateException("the processor did not start: " + processor.state(), processor.failure());
        }
        viewer = Viewer.start(ClientSettings.from(settings), true, new Viewer.Options("127.0.0.1", 0, "--port", 64));
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.putAll(new FrameSizing(config.maxFrameBytes()).frameProducerOverrides());
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.cameras = CameraFleet.start(
                cameras,
                fps,
                SceneConfig.defaults(64, 64),
                7,
                config.topics().input(),
                producer,
                AvroSerdes.specific(Frame.class, config.schemaRegistry(), false).serializer(),
                shot -> sent.put(shot.frame().getSourceId() + "#" + shot.frame().getSequence(), shot.frame()));
    }

    /** Starts everything; the cameras shoot from now until {@link #close}. */
    static LivePipeline start(int cameras, double fps) throws Exception {
        return new LivePipeline(cameras, fps);
    }

    @Override
    public void close() {
        cameras.close();
        producer.close();
        viewer.close();
        processor.close();
        kafka.close();
        registry.close();
        config.stateDir().ifPresent(ScratchDirectories::delete);
    }
}
