package io.visionstream.app.view;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.DecodedImage;
import io.visionstream.inference.image.ImageDecoder;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.SegmentationMask;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.topology.processing.FrameImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The viewer against a live broker and processor, read over HTTP as a client would. */
class ViewerIT {

    private static LivePipeline live;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        live = LivePipeline.start(2, 5);
    }

    @AfterAll
    static void stop() {
        if (live != null) {
            live.close();
        }
    }

    @Test
    void theMotionJpegStreamCarriesPicturesOfTheFramesWithTheirMasksOverlaid() throws Exception {
        awaitState(s -> s.at("/cameras/0/picture").asLong() > 0, "a first picture of cam-0");
        var stream = http.send(
                HttpRequest.newBuilder(URI.create(live.viewer.url() + "cameras/cam-0.mjpg"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.headers().firstValue("Content-Type"))
                .hasValue("multipart/x-mixed-replace; boundary=visionstream-picture");
        OverlayRenderer renderer = OverlayRenderer.standard();
        ImageDecoder decoder = new ImageDecoder(DecodeLimits.defaults());

        try (InputStream in = stream.body();
                var masks = masksFromTheBeginning()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                Map<String, String> headers = partHeaders(in);
                long sequence = Long.parseLong(headers.get("X-Sequence"));
                BufferedImage picture = ImageIO.read(
                        new ByteArrayInputStream(in.readNBytes(Integer.parseInt(headers.get("Content-Length")))));
                // 64x64 frames, scaled up 4 times by nearest neighbour.
                assertThat(picture.getWidth()).isEqualTo(256);
                assertThat(picture.getHeight()).isEqualTo(256);

                Frame frame = live.sent.get("cam-0#" + sequence);
                SegmentationMask mask = awaitMask(masks, sequence);
                byte[] classes = ImageEncoder.decodeMask(mask.getMaskPng().array(), DecodeLimits.defaults());
                DecodedImage image = FrameImages.decode(frame, decoder);
                DecodedImage expected = renderer.render(image, classes, mask.getWidth(), mask.getHeight(), null);
                DecodedImage plain = renderer.render(image, null, 0, 0, null);
                // Compare below the caption strip, on the pixels the mask gives a class.
                double toExpected = 0;
                double toPlain = 0;
                int masked = 0;
                for (int y = 32; y < 256; y++) {
                    for (int x = 0; x < 256; x++) {
                        if (classes[(y / 4) * 64 + x / 4] == 0) {
                            continue;
                        }
                        masked++;
                        int rgb = picture.getRGB(x, y);
                        for (int c = 0; c < 3; c++) {
                            int got = (rgb >> (16 - 8 * c)) & 0xFF;
                            toExpected += Math.abs(got - expected.sample(x, y, c));
                            toPlain += Math.abs(got - plain.sample(x, y, c));
                        }
                    }
                }
                if (masked < 256 * 256 / 20) {
                    continue; // the model saw (almost) nothing but background here: no overlay to judge
                }
                toExpected /= 3.0 * masked;
                toPlain /= 3.0 * masked;
                // JPEG moves a pixel by a few levels; the overlay by half the distance to the class colour.
                assertThat(toExpected)
                        .as("mean difference to the frame with its mask overlaid")
                        .isLessThan(8);
                assertThat(toPlain).as("mean difference to the frame alone").isGreaterThan(toExpected + 10);
                return;
            }
            throw new AssertionError("no picture with overlay pixels within 90 s");
        }
    }

    @Test
    void recordsItCannotDecodeAndPredictionsWithoutAFrameAreCountedAndTheViewerGoesOn() throws Exception {
        JsonNode before = awaitState(s -> s.at("/cameras/0/picture").asLong() > 0, "a first picture");
        long undecodable = before.at("/counters/undecodable").asLong();
        long unmatched = before.at("/counters/unmatched").asLong();
        long deadLetters = before.at("/counters/deadLetters").asLong();
        long picture = before.at("/cameras/0/picture").asLong();

        byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
        byte[] key = "cam-9".getBytes(StandardCharsets.UTF_8);
        String predictions = live.config.topics().predictions();
        Prediction ghost = ViewRecords.prediction("ghost", 3);
        live.producer.send(new ProducerRecord<>(predictions, key, garbage));
        live.producer.send(new ProducerRecord<>(live.config.topics().input(), key, garbage));
        live.producer.send(new ProducerRecord<>(
                predictions,
                "ghost".getBytes(StandardCharsets.UTF_8),
                AvroSerdes.specific(Prediction.class, live.config.schemaRegistry(), false)
                        .serializer()
                        .serialize(predictions, ghost)));
        live.producer.flush();

        JsonNode after = awaitState(
                s -> s.at("/counters/undecodable").asLong() >= undecodable + 2
                        && s.at("/counters/unmatched").asLong() >= unmatched + 1
                        && s.at("/counters/deadLetters").asLong() >= deadLetters + 1,
                "the counters to count the bad records");
        long pictureAfter = after.at("/cameras/0/picture").asLong();
        awaitState(s -> camera(s, "cam-0").get("picture").asLong() > pictureAfter, "a newer picture after them");
        assertThat(pictureAfter).isGreaterThanOrEqualTo(picture);
    }

    private static JsonNode camera(JsonNode state, String id) {
        for (JsonNode c : state.get("cameras")) {
            if (c.get("id").asText().equals(id)) {
                return c;
            }
        }
        throw new AssertionError("no camera " + id + " in " + state);
    }

    private JsonNode awaitState(java.util.function.Predicate<JsonNode> condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode state = null;
        while (System.nanoTime() < deadline) {
            state = json.readTree(http.send(
                            HttpRequest.newBuilder(URI.create(live.viewer.url() + "state"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            if (state.get("cameras").size() > 0 && condition.test(state)) {
                return state;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("waited 90 s for " + what + "; the viewer's state: " + state);
    }

    private KafkaConsumer<byte[], byte[]> masksFromTheBeginning() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, live.kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        var partitions = consumer.partitionsFor(live.config.topics().masks()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    private final Map<Long, SegmentationMask> masksOfCam0 = new HashMap<>();

    private SegmentationMask awaitMask(KafkaConsumer<byte[], byte[]> consumer, long sequence) {
        var masks = AvroSerdes.specific(SegmentationMask.class, live.config.schemaRegistry(), false)
                .deserializer();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!masksOfCam0.containsKey(sequence) && System.nanoTime() < deadline) {
            for (var record : consumer.poll(Duration.ofMillis(200))) {
                SegmentationMask mask = masks.deserialize(record.topic(), record.value());
                if (mask.getSourceId().equals("cam-0")) {
                    masksOfCam0.put(mask.getSequence(), mask);
                }
            }
        }
        SegmentationMask mask = masksOfCam0.get(sequence);
        assertThat(mask).as("the mask of cam-0 #" + sequence).isNotNull();
        return mask;
    }

    /** Reads a multipart boundary line and the part's headers, up to the blank line. */
    private static Map<String, String> partHeaders(InputStream in) throws Exception {
        String boundary = line(in);
        if (boundary.isEmpty()) {
            boundary = line(in); // the CRLF that ends the previous part
        }
        assertThat(boundary).isEqualTo("--visionstream-picture");
        Map<String, String> headers = new HashMap<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return headers;
    }

    private static String line(InputStream in) throws Exception {
        StringBuilder s = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new AssertionError("the stream ended");
            }
            if (b != '\r') {
                s.append((char) b);
            }
        }
        return s.toString();
    }
}
