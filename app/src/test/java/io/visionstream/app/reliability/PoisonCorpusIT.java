package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.app.verify.Verification;
import io.visionstream.schemas.avro.DeadLetter;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.processing.TestFrames;
import io.visionstream.topology.runtime.ProcessorInstance;
import io.visionstream.topology.topics.FrameSizing;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole poison corpus through a live processor on a real broker: every bad record becomes exactly one
 * dead letter that keeps its bytes and says what was wrong, the good frames around it are predicted, and
 * memory stays flat when the corpus is sent again and again.
 */
class PoisonCorpusIT {

    private static final String SOURCE = "cam-p";
    /** Small, so that "one byte over" is cheap to send many times; the topic accepts 64 KiB more. */
    private static final int MAX_FRAME_BYTES = 256 * 1024;

    private static final long MAX_IMAGE_PIXELS = 40_000_000L;
    private static final long MEMORY_BOUND_BYTES = 64L << 20;

    private static EmbeddedKafkaCluster kafka;
    private static VisionConfig config;
    private static ProcessorInstance processor;
    private static OutcomeCollector outcomes;
    private static KafkaProducer<byte[], byte[]> producer;
    private static TestFrames frames;
    private static List<PoisonCorpus.Poison> corpus;
    /** Input records acknowledged so far, by every test of this class. */
    private static long sent;

    private static long nextSequence;

    @BeforeAll
    static void start() throws Exception {
        String registryUrl = "mock://poison-" + UUID.randomUUID();
        Map<String, Object> registry = Map.of("schema.registry.url", registryUrl);
        kafka = EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(16 << 20));
        Map<String, String> settings = LiveSetup.settings(kafka, registryUrl, "poison");
        settings.put("max.frame.bytes", String.valueOf(MAX_FRAME_BYTES));
        settings.put("max.image.pixels", String.valueOf(MAX_IMAGE_PIXELS));
        settings.put("topics.partitions", "1"); // one partition: every record lies between its neighbours
        config = VisionConfig.from(settings);
        processor = ProcessorInstance.start(config);
        assertThat(processor.awaitRunning(Duration.ofSeconds(90))).isTrue();
        outcomes = new OutcomeCollector(kafka.bootstrapServers(), registry, config.topics());
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.putAll(new FrameSizing(MAX_FRAME_BYTES).frameProducerOverrides());
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        frames = new TestFrames(registry);
        corpus = PoisonCorpus.build(frames, config.topics().input(), SOURCE, MAX_FRAME_BYTES, MAX_IMAGE_PIXELS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        if (outcomes != null) {
            outcomes.close();
        }
        if (processor != null) {
            processor.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** A poison record as sent, between the good frames {@code before} and {@code after}. */
    private record Sent(PoisonCorpus.Poison poison, RecordMetadata metadata, long before, long after) {}

    /** Sends good frame, poison, good frame, poison, ..., good frame: the whole corpus once. */
    private static List<Sent> sendCorpusOnce() throws Exception {
        String topic = config.topics().input();
        List<Sent> out = new ArrayList<>();
        long before = sendGoodFrame();
        for (PoisonCorpus.Poison poison : corpus) {
            RecordMetadata metadata = send(new ProducerRecord<>(topic, poison.key(), poison.value()));
            long after = sendGoodFrame();
            out.add(new Sent(poison, metadata, before, after));
            before = after;
        }
        return out;
    }

    private static long sendGoodFrame() throws Exception {
        long sequence = nextSequence++;
        String topic = config.topics().input();
        var frame = frames.frame(SOURCE, sequence, System.currentTimeMillis());
        send(new ProducerRecord<>(topic, TestFrames.key(SOURCE), frames.serialize(topic, frame)));
        return sequence;
    }

    private static RecordMetadata send(ProducerRecord<byte[], byte[]> record) throws Exception {
        RecordMetadata metadata = producer.send(record).get();
        sent++;
        return metadata;
    }

    private static void assertEveryInputHasExactlyOneOutcome() {
        Verification v = LiveSetup.verify(kafka, config);
        assertThat(v.clean()).as(String.join("\n", v.lines())).isTrue();
        assertThat(v.inputs()).isEqualTo(sent);
        assertThat(v.total()).isEqualTo(new Verification.SourceCount(sent, sent, 0, 0, 0));
    }

    private static void assertStillRunning() {
        assertThat(processor.failure()).isNull();
        assertThat(processor.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    @Test
    void everyPoisonRecordIsOneDeadLetterWithItsOriginalBytesAndTheFramesAroundItArePredicted() throws Exception {
        List<Sent> round = sendCorpusOnce();
        outcomes.awaitOutcomes(sent, Duration.ofSeconds(120));

        Map<Long, List<OutcomeCollector.Letter>> byOffset = outcomes.deadLetters().stream()
                .collect(Collectors.groupingBy(l -> l.value().getSourceOffset()));
        for (Sent s : round) {
            PoisonCorpus.Poison poison = s.poison();
            List<OutcomeCollector.Letter> letters =
                    byOffset.getOrDefault(s.metadata().offset(), List.of());
            assertThat(letters).as("dead letters for %s", poison.name()).hasSize(1);
            OutcomeCollector.Letter letter = letters.get(0);
            DeadLetter d = letter.value();
            assertThat(d.getSourceTopic()).isEqualTo(config.topics().input());
            assertThat(d.getSourcePartition()).isEqualTo(s.metadata().partition());
            assertThat(d.getOriginalValue()).as(poison.name()).isEqualTo(ByteBuffer.wrap(poison.value()));
            if (poison.key() == null) {
                assertThat(d.getOriginalKey()).as(poison.name()).isNull();
                assertThat(letter.key()).as(poison.name()).isNull();
            } else {
                assertThat(d.getOriginalKey()).as(poison.name()).isEqualTo(ByteBuffer.wrap(poison.key()));
                assertThat(letter.key()).as(poison.name()).isEqualTo(poison.key());
            }
            assertThat(d.getStage()).as(poison.name()).isEqualTo(poison.stage());
            assertThat(d.getErrorClass()).as(poison.name()).isEqualTo(poison.errorClass());
            assertThat(d.getErrorMessage()).as(poison.name()).contains(poison.messageParts());
            assertThat(outcomes.predicted(SOURCE, s.before()))
                    .as("frame before %s predicted", poison.name())
                    .isTrue();
            assertThat(outcomes.predicted(SOURCE, s.after()))
                    .as("frame after %s predicted", poison.name())
                    .isTrue();
        }
        assertThat(round).hasSize(corpus.size());
        assertEveryInputHasExactlyOneOutcome();
        assertStillRunning();
    }

    @Test
    void memoryStaysBoundedWhileTheCorpusIsSentAgainAndAgain() throws Exception {
        // The JIT compiles the hot paths during the warm-up, and the native allocators (libtorch's through
        // malloc, the input batches' pool, the broker's buffers) reach their working sizes: after 6 rounds the
        // memory outside the heap still grew by 39 to 67 MiB over the next 12, but by only 30 MiB over the
        // next 36, so that growth levels off and is no leak. A leak grows with every round measured.
        int warmUpRounds = 12;
        int measuredRounds = 24;
        for (int i = 0; i < warmUpRounds; i++) {
            sendCorpusOnce();
            outcomes.awaitOutcomes(sent, Duration.ofSeconds(120));
        }
        long earlyRecords = sent;
        Memory early = settledMemory();
        for (int i = 0; i < measuredRounds; i++) {
            sendCorpusOnce();
            outcomes.awaitOutcomes(sent, Duration.ofSeconds(120));
        }
        Memory late = settledMemory();
        System.out.printf(
                "poison memory: corpus of %d poisons + %d good frames a round; after %d records heap used %d MiB"
                        + " (committed %d), outside the heap %d MiB; after %d records heap used %d MiB (committed"
                        + " %d), outside the heap %d MiB; growth heap %+d MiB, outside the heap %+d MiB (bound %d"
                        + " MiB each)%n",
                corpus.size(),
                corpus.size() + 1,
                earlyRecords,
                early.heapUsed() >> 20,
                early.heapCommitted() >> 20,
                early.outsideHeap() >> 20,
                sent,
                late.heapUsed() >> 20,
                late.heapCommitted() >> 20,
                late.outsideHeap() >> 20,
                (late.heapUsed() - early.heapUsed()) >> 20,
                (late.outsideHeap() - early.outsideHeap()) >> 20,
                MEMORY_BOUND_BYTES >> 20);
        assertThat(late.heapUsed() - early.heapUsed())
                .as("heap growth after GC")
                .isLessThan(MEMORY_BOUND_BYTES);
        assertThat(late.outsideHeap() - early.outsideHeap())
                .as("growth of anonymous memory outside the heap")
                .isLessThan(MEMORY_BOUND_BYTES);
        assertThat(sent - earlyRecords).isEqualTo((long) measuredRounds * (2L * corpus.size() + 1));
        assertEveryInputHasExactlyOneOutcome();
        assertStillRunning();
    }

    @Test
    void aRecordOverTheInputTopicsLimitIsRefusedToTheProducerAndNeverBecomesAnInput() throws Exception {
        int topicLimit = new FrameSizing(MAX_FRAME_BYTES).inputTopicMessageBytes();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20); // let the broker be the one to refuse
        try (var large = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            var record =
                    new ProducerRecord<>(config.topics().input(), TestFrames.key(SOURCE), new byte[topicLimit + 1]);
            assertThatThrownBy(() -> large.send(record).get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(RecordTooLargeException.class);
        }
        sendGoodFrame();
        outcomes.awaitOutcomes(sent, Duration.ofSeconds(120));
        assertEveryInputHasExactlyOneOutcome();
        assertStillRunning();
    }

    /**
     * Memory once the dead letters this test kept are dropped and the heap is collected. Outside the heap is the
     * anonymous resident memory less the committed heap, so that the JVM growing its heap (which it may do on a
     * machine with more memory) is not read as a leak; a native leak, such as a tensor never closed, shows there.
     */
    private record Memory(long heapUsed, long heapCommitted, long outsideHeap) {}

    private static Memory settledMemory() throws Exception {
        outcomes.forgetDeadLetters();
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        long committed = runtime.totalMemory();
        return new Memory(committed - runtime.freeMemory(), committed, LiveSetup.anonymousRssBytes() - committed);
    }
}
