package io.visionstream.app;

import io.visionstream.app.cameras.CameraFleet;
import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.DecodedImage;
import io.visionstream.inference.image.ImageDecodeException;
import io.visionstream.inference.image.ImageDecoder;
import io.visionstream.processor.DurationConverter;
import io.visionstream.processor.SettingsOptions;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.ImageEncoding;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.topology.config.ClientSettings;
import io.visionstream.topology.topics.FrameSizing;
import io.visionstream.training.synthetic.SceneConfig;
import java.io.IOException;
import java.io.PrintWriter;
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
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Sends image files, or synthetic cameras' frames, to the input topic as Avro {@code Frame} records. */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = {
            "Send frames to the input topic: image files (JPEG, PNG) or synthetic cameras.",
            "Needs bootstrap.servers and schema.registry.url (--set, --config or VISION_* variables)."
        })
final class ProduceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SettingsOptions settings = new SettingsOptions();

    @Option(names = "--synthetic", description = "Synthetic cameras filming moving shapes.")
    boolean synthetic;

    @Parameters(arity = "0..*", paramLabel = "IMAGE", description = "Image files or folders of them.")
    List<Path> images = new ArrayList<>();

    @Option(
            names = "--source-id",
            defaultValue = "files",
            description = "Source id (key) of files (default: ${DEFAULT-VALUE}).")
    String sourceId;

    @Option(names = "--cameras", defaultValue = "4", description = "Synthetic cameras (default: ${DEFAULT-VALUE}).")
    int cameras;

    @Option(
            names = "--fps",
            defaultValue = "5",
            description = "Frames per second per camera (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(
            names = "--duration",
            defaultValue = "PT60S",
            converter = DurationConverter.class,
            description = "How long cameras run, e.g. 60s, 5m; 0 = until stopped (default: 60s).")
    Duration duration;

    @Option(
            names = "--size",
            defaultValue = "96x96",
            description = "Synthetic frame size WxH (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the synthetic cameras (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (synthetic == !images.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(),
                    "give either --synthetic or IMAGE files, not " + (synthetic ? "both" : "neither"));
        }
        ClientSettings client = ClientSettings.from(settings.settings());
        Map<String, Object> producerProps =
                new HashMap<>(new FrameSizing(client.maxFrameBytes()).frameProducerOverrides());
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        Serializer<Frame> frames =
                AvroSerdes.specific(Frame.class, client.schemaRegistry(), false).serializer();
        String topic = client.topics().input();
        PrintWriter out = spec.commandLine().getOut();
        try (var producer = new KafkaProducer<>(
                client.clientProperties(producerProps), new ByteArraySerializer(), new ByteArraySerializer())) {
            if (synthetic) {
                int[] wh = parseSize(size);
                CameraFleet fleet = CameraFleet.start(
                        cameras, fps, SceneConfig.defaults(wh[0], wh[1]), seed, topic, producer, frames, shot -> {});
                Runtime.getRuntime().addShutdownHook(new Thread(fleet::close, "produce-shutdown"));
                if (duration.isZero()) {
                    Thread.currentThread().join();
                }
                fleet.runFor(duration);
                producer.flush();
                if (fleet.failure() != null) {
                    throw new IllegalStateException(
                            "sending frames failed: " + fleet.failure().getMessage(), fleet.failure());
                }
                out.printf("sent %d frames from %d cameras to %s%n", fleet.sent(), cameras, topic);
                return 0;
            }
            return sendFiles(PredictCommand.expand(images), producer, frames, topic, out);
        }
    }

    private int sendFiles(
            List<Path> files,
            KafkaProducer<byte[], byte[]> producer,
            Serializer<Frame> frames,
            String topic,
            PrintWriter out)
            throws Exception {
        ImageDecoder decoder = new ImageDecoder(DecodeLimits.defaults());
        PrintWriter err = spec.commandLine().getErr();
        int sent = 0;
        int refused = 0;
        long sequence = 0;
        for (Path file : files) {
            byte[] bytes;
            DecodedImage image;
            try {
                bytes = Files.readAllBytes(file);
                image = decoder.decode(bytes);
            } catch (IOException | ImageDecodeException e) {
                err.println("vision produce: " + file + ": not sent: " + e.getMessage());
                refused++;
                continue;
            }
            Frame frame = Frame.newBuilder()
                    .setSourceId(sourceId)
                    .setSequence(sequence++)
                    .setCaptureTime(Instant.now())
                    .setEncoding(bytes[0] == (byte) 0xFF ? ImageEncoding.JPEG : ImageEncoding.PNG)
                    .setWidth(image.width())
                    .setHeight(image.height())
                    .setImage(ByteBuffer.wrap(bytes))
                    .setMetadata(Map.of("file", file.getFileName().toString()))
                    .build();
            producer.send(new ProducerRecord<>(
                            topic, sourceId.getBytes(StandardCharsets.UTF_8), frames.serialize(topic, frame)))
                    .get();
            sent++;
        }
        out.printf("sent %d frames to %s%s%n", sent, topic, refused == 0 ? "" : ", refused " + refused + " files");
        return refused == 0 ? 0 : 1;
    }

    static int[] parseSize(String size) {
        String[] parts = size.toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (parts.length == 2) {
                int w = Integer.parseInt(parts[0]);
                int h = Integer.parseInt(parts[1]);
                if (w >= 16 && h >= 16 && w <= 4096 && h <= 4096) {
                    return new int[] {w, h};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--size must be WxH with sides 16..4096, e.g. 96x96; got '" + size + "'");
    }
}
