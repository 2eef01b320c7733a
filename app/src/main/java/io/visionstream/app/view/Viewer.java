package io.visionstream.app.view;

import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.DecodedImage;
import io.visionstream.inference.image.ImageDecodeException;
import io.visionstream.inference.image.ImageDecoder;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.SegmentationMask;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.topology.config.ClientSettings;
import io.visionstream.topology.processing.FrameImages;
import io.visionstream.topology.topics.FrameSizing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live viewer: reads the processor's input and outputs, joins each frame with its prediction and mask
 * ({@link FrameJoin}), draws the newest of each camera ({@link OverlayRenderer}), and serves the pictures
 * and numbers on a web page ({@link ViewerServer}).
 *
 * <p>It never slows the processor down: its consumer belongs to no group (it assigns itself every
 * partition and starts at the end, committing nothing), reads only committed records, and does all its
 * drawing on its own thread. What it cannot decode it counts and skips.
 *
 * <p>Thread-safe to close from any thread.
 */
public final class Viewer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Viewer.class);

    /**
     * @param host the address to listen on ({@code 0.0.0.0} for every interface)
     * @param port the port, 0 for any free one
     * @param portSetting the name of the port's setting, for the error when the port is taken
     * @param maxCameras cameras shown at most; records of further cameras are counted and ignored
     */
    public record Options(String host, int port, String portSetting, int maxCameras) {
        public Options {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException(portSetting + " must be between 0 and 65535, got " + port);
            }
            if (maxCameras < 1) {
                throw new IllegalArgumentException("--max-cameras must be at least 1, got " + maxCameras);
            }
        }
    }

    /** Default port of the viewer's web page. */
    public static final int DEFAULT_PORT = 8088;

    /**
     * Recent sequences each camera's join ring holds: 51 s at 5 frames/s, so the outcomes of a processor
     * that far behind still find their frames. {@link #BYTES_PER_CAMERA} bounds the memory of big frames.
     */
    static final int FRAMES_PER_CAMERA = 256;
    /** Frame bytes each camera's join ring holds at most. */
    static final long BYTES_PER_CAMERA = 16L << 20;
    /** How long a frame whose prediction promises a mask waits for it before it is drawn without. */
    static final long MASK_WAIT_MS = 1_000;
    /** How long a prediction or mask waits for a frame its camera has not reached yet. */
    static final long FRAME_WAIT_MS = 2_000;
    /** JPEG quality of the served pictures. */
    static final int JPEG_QUALITY = 90;

    private static final Duration POLL = Duration.ofMillis(100);
    private static final long ASSIGNMENT_CHECK_MS = 5_000;
    /** Until the frames and predictions topics exist, they are looked for this often. */
    private static final long MISSING_TOPIC_CHECK_MS = 500;

    private static final long MIN_PUBLISH_INTERVAL_MS = 100;
    private static final long MAX_PUBLISH_INTERVAL_MS = 1_000;

    private final ClientSettings client;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ViewerServer server;
    private final PictureBoard board;
    private final FrameJoin join;
    private final LiveView view;
    private final OverlayRenderer renderer = OverlayRenderer.standard();
    private final DecodeLimits limits = DecodeLimits.defaults();
    private final ImageDecoder decoder = new ImageDecoder(limits);
    private final Deserializer<Frame> frames;
    private final Deserializer<Prediction> predictions;
    private final Deserializer<SegmentationMask> masks;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean running = true;
    private volatile Throwable failure;
    private long pictures;
    private List<String> missingTopics = List.of();

    private Viewer(ClientSettings client, boolean masksEnabled, Options options) {
        this.client = client;
        this.board = new PictureBoard();
        this.join = new FrameJoin(
                options.maxCameras(), FRAMES_PER_CAMERA, BYTES_PER_CAMERA, MASK_WAIT_MS, FRAME_WAIT_MS, masksEnabled);
        this.view = new LiveView(renderer.palette(), options.maxCameras());
        // The port first: a port in use should stop the start before anything else happens.
        this.server = ViewerServer.start(options.host(), options.port(), options.portSetting(), board);
        try {
            this.frames = AvroSerdes.specific(Frame.class, client.schemaRegistry(), false)
                    .deserializer();
            this.predictions = AvroSerdes.specific(Prediction.class, client.schemaRegistry(), false)
                    .deserializer();
            this.masks = AvroSerdes.specific(SegmentationMask.class, client.schemaRegistry(), false)
                    .deserializer();
            this.consumer = new KafkaConsumer<>(
                    consumerProperties(client), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        this.thread = new Thread(this::run, "viewer-consumer");
        this.thread.setDaemon(true);
    }

    /**
     * Starts serving on {@code options}' port and reading the topics named in {@code client}.
     *
     * @param masksEnabled the processor's {@code masks.enabled}: whether a prediction with a segmentation
     *     summary has a mask coming
     * @throws io.visionstream.topology.config.ConfigException when the port is in use, naming its setting
     */
    public static Viewer start(ClientSettings client, boolean masksEnabled, Options options) {
        Viewer viewer = new Viewer(client, masksEnabled, options);
        viewer.thread.start();
        return viewer;
    }

    /** The page's address on this machine, e.g. {@code http://localhost:8088/}. */
    public String url() {
        return "http://localhost:" + server.port() + "/";
    }

    /** Why the consumer stopped, or null while it runs (or after a plain close). */
    public Throwable failure() {
        return failure;
    }

    /** Waits until the consumer stops (a failure, or {@link #close}); true if it did within the timeout. */
    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops reading and serving; a second call does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                log.warn("the viewer's consumer did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
    }

    private static Properties consumerProperties(ClientSettings client) {
        Map<String, Object> extra = new HashMap<>(new FrameSizing(client.maxFrameBytes()).consumerOverrides());
        extra.put(ConsumerConfig.CLIENT_ID_CONFIG, "vision-view");
        extra.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        extra.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Looking a topic up must not create it with the broker's defaults before the processor sizes it.
        extra.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        Properties props = client.clientProperties(extra);
        // No group: the viewer assigns itself partitions and must never join (or commit for) anyone's group.
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        return props;
    }

    private void run() {
        try (consumer) {
            long nextAssignmentCheck = 0;
            long lastPublish = 0;
            long publishedChanges = -1;
            while (running) {
                long now = System.currentTimeMillis();
                if (now >= nextAssignmentCheck) {
                    nextAssignmentCheck = now + (assign() ? ASSIGNMENT_CHECK_MS : MISSING_TOPIC_CHECK_MS);
                }
                if (consumer.assignment().isEmpty()) {
                    Thread.sleep(POLL.toMillis()); // no topic yet: a consumer with nothing assigned cannot poll
                } else {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                        read(record, System.currentTimeMillis());
                    }
                }
                now = System.currentTimeMillis();
                for (FrameJoin.Joined joined : join.takeReady(now)) {
                    draw(joined, now);
                }
                long changes = view.changes() + join.unmatchedPredictions() + join.ignoredRecords();
                long sincePublish = now - lastPublish;
                if ((changes != publishedChanges && sincePublish >= MIN_PUBLISH_INTERVAL_MS)
                        || sincePublish >= MAX_PUBLISH_INTERVAL_MS) {
                    board.publish(view.snapshot(
                            board.snapshot().version() + 1, now, join.unmatchedPredictions(), join.ignoredRecords()));
                    publishedChanges = changes;
                    lastPublish = now;
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure = e;
            log.error("the viewer stopped reading: {}", e.toString(), e);
        } finally {
            stopped.countDown();
        }
    }

    /**
     * Assigns every partition of the four topics that exists now, new ones at their end. A processor
     * whose model has no dense head never creates the masks topic; the viewer works without it.
     *
     * @return true when the frames and predictions topics exist, so that there is something to show
     */
    private boolean assign() {
        List<String> topics = List.of(
                client.topics().input(),
                client.topics().predictions(),
                client.topics().masks(),
                client.topics().deadLetters());
        Set<TopicPartition> partitions = new HashSet<>();
        List<String> missing = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                missing.add(topic);
                continue;
            }
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
        }
        Set<TopicPartition> added = new HashSet<>(partitions);
        added.removeAll(consumer.assignment());
        if (!added.isEmpty()) {
            consumer.assign(partitions);
            consumer.seekToEnd(added);
            log.info("viewer reading {} partitions from their end", partitions.size());
        }
        if (!missing.equals(missingTopics)) {
            if (missing.isEmpty()) {
                log.info("viewer: every topic is there now");
            } else {
                log.info("viewer waiting for topics {}", missing);
            }
            missingTopics = missing;
        }
        return !missing.contains(client.topics().input())
                && !missing.contains(client.topics().predictions());
    }

    private void read(ConsumerRecord<byte[], byte[]> record, long nowMs) {
        String topic = record.topic();
        try {
            if (topic.equals(client.topics().input())) {
                Frame frame = decoded(frames.deserialize(topic, record.value()));
                view.frame();
                join.frame(frame);
            } else if (topic.equals(client.topics().predictions())) {
                Prediction prediction = decoded(predictions.deserialize(topic, record.value()));
                view.prediction(prediction, nowMs);
                join.prediction(prediction, nowMs);
            } else if (topic.equals(client.topics().masks())) {
                SegmentationMask mask = decoded(masks.deserialize(topic, record.value()));
                view.mask(mask);
                join.mask(mask, nowMs);
            } else {
                // The processor's own dead letters are counted, not shown: their frames never decoded.
                view.deadLetter();
            }
        } catch (SerializationException e) {
            view.undecodable();
            log.debug(
                    "viewer skipped an undecodable record at {}-{}@{}: {}",
                    topic,
                    record.partition(),
                    record.offset(),
                    e.getMessage());
        }
    }

    /** A tombstone or an empty value is a record the viewer cannot decode, like garbage is. */
    private static <T> T decoded(T value) {
        if (value == null) {
            throw new SerializationException("record has no value");
        }
        return value;
    }

    /** Draws a joined frame, encodes it once and publishes it for every client. */
    private void draw(FrameJoin.Joined joined, long nowMs) {
        Frame frame = joined.frame();
        Prediction prediction = joined.prediction();
        DecodedImage image;
        try {
            image = FrameImages.decode(frame, decoder);
        } catch (ImageDecodeException e) {
            view.undecodable();
            return;
        }
        byte[] classes = null;
        int maskWidth = 0;
        int maskHeight = 0;
        SegmentationMask mask = joined.mask();
        if (mask != null) {
            try {
                classes = ImageEncoder.decodeMask(bytes(mask), limits);
                maskWidth = mask.getWidth();
                maskHeight = mask.getHeight();
                if (classes.length != (long) maskWidth * maskHeight) {
                    throw new ImageDecodeException(
                            ImageDecodeException.Reason.CORRUPT,
                            "mask PNG has " + classes.length + " pixels, its record says " + maskWidth + "x"
                                    + maskHeight);
                }
            } catch (ImageDecodeException e) {
                view.undecodable();
                classes = null;
            }
        }
        byte[] jpeg = ImageEncoder.jpeg(
                renderer.render(image, classes, maskWidth, maskHeight, OverlayRenderer.caption(prediction)),
                JPEG_QUALITY);
        long version = ++pictures;
        board.publish(new PictureBoard.Picture(frame.getSourceId(), version, frame.getSequence(), jpeg));
        view.shown(frame.getSourceId(), version, prediction, nowMs);
    }

    private static byte[] bytes(SegmentationMask mask) {
        var buffer = mask.getMaskPng().duplicate();
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
