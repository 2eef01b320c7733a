package io.visionstream.topology.processing;

import io.visionstream.inference.engine.ImageResult;
import io.visionstream.schemas.avro.FailureStage;
import io.visionstream.topology.batching.BatchInfo;
import io.visionstream.topology.batching.MicroBatcher;
import io.visionstream.topology.batching.OrderedOutbox;
import io.visionstream.topology.metrics.VisionMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task's frame processor. Every record's offset is written to the changelogged pending-frames store
 * before anything else happens and deleted only in the same transaction that forwards its outcome, so a
 * frame whose offset was committed while it waited in a batch survives a crash: the store is restored,
 * the frame is read back from the input topic ({@link PendingFrameSource}) and batched again. The store
 * holds no frame bytes, so its changelog carries a few bytes per frame whatever the frames' size. A
 * frame that is no longer in the input topic when it is read back (retention) becomes a dead letter
 * without its bytes. Outcomes leave in input order through an {@link OrderedOutbox}.
 *
 * <p>Frames go to the stream thread's shared {@link MicroBatcher}, which runs closed batches on the
 * inference workers. A batch's results are handed over on the stream thread, possibly while another task
 * of the thread is active; they complete this task's frames in memory, and this task forwards them at
 * its next {@code process} or wall-clock punctuation (a context can only forward from its own task).
 */
final class FrameProcessor
        implements Processor<byte[], byte[], Object, Object>, MicroBatcher.Owner<PreparedFrame, ImageResult> {

    private static final Logger log = LoggerFactory.getLogger(FrameProcessor.class);

    /** The store's value for a pending frame: empty, the frame is read back from its input offset. */
    static final byte[] OFFSET_ONLY = new byte[0];

    private final Settings settings;
    private final FramePreparer preparer;
    private final OutputRecords outputs;
    private final Supplier<MicroBatcher<PreparedFrame, ImageResult>> batcherOfThisThread;
    private final LongSupplier clock;
    private final PendingFrameSource.Factory frameSource;
    private final VisionMetrics metrics;
    private final OrderedOutbox<Outcome> outbox = new OrderedOutbox<>();
    /** Offsets resumed from the store that the input may still deliver again (at-least-once). */
    private final NavigableSet<Long> resumed = new TreeSet<>();

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Long, byte[]> pending;
    private MicroBatcher<PreparedFrame, ImageResult> batcher;

    /**
     * @param inputTopic the topic every record comes from (restored records need it named)
     * @param storeName the pending-frames store
     * @param punctuateEvery how often to run due batches and forward finished outcomes
     */
    record Settings(
            String inputTopic,
            String storeName,
            String predictionsSink,
            String embeddingsSink,
            String masksSink,
            String deadLettersSink,
            boolean embeddingsEnabled,
            boolean masksEnabled,
            boolean normalizeEmbeddings,
            Duration punctuateEvery) {}

    FrameProcessor(
            Settings settings,
            FramePreparer preparer,
            OutputRecords outputs,
            Supplier<MicroBatcher<PreparedFrame, ImageResult>> batcherOfThisThread,
            LongSupplier clock,
            PendingFrameSource.Factory frameSource,
            VisionMetrics metrics) {
        this.settings = settings;
        this.preparer = preparer;
        this.outputs = outputs;
        this.batcherOfThisThread = batcherOfThisThread;
        this.clock = clock;
        this.frameSource = frameSource;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.pending = context.getStateStore(settings.storeName());
        this.batcher = batcherOfThisThread.get();
        context.schedule(settings.punctuateEvery(), PunctuationType.WALL_CLOCK_TIME, now -> punctuate());
        resumePendingFrames();
    }

    /**
     * Frames restored from the changelog (a crash, a rebalance) go through again, in offset order, read
     * back from the input topic. Under exactly-once their offsets are committed with the store, so the
     * input never delivers them again; under at-least-once a crash between the changelog write and the
     * offset commit means it will, and {@link #process} then skips them. Values written by earlier
     * versions hold the whole record and are used as they are.
     */
    private void resumePendingFrames() {
        int partition = context.taskId().partition();
        List<KeyValue<Long, byte[]>> entries = new ArrayList<>();
        try (KeyValueIterator<Long, byte[]> it = pending.all()) {
            it.forEachRemaining(entries::add);
        }
        SortedSet<Long> offsetsOnly = new TreeSet<>();
        for (KeyValue<Long, byte[]> entry : entries) {
            if (entry.value.length == 0) {
                offsetsOnly.add(entry.key);
            }
        }
        Map<Long, InputRecord> readBack = offsetsOnly.isEmpty() ? Map.of() : readBack(partition, offsetsOnly);
        for (KeyValue<Long, byte[]> entry : entries) {
            resumed.add(entry.key);
            outbox.reserve(entry.key);
            metrics.pendingFrames(1);
            if (entry.value.length > 0) {
                handle(InputRecord.fromStoreValue(settings.inputTopic(), partition, entry.key, entry.value));
            } else if (readBack.containsKey(entry.key)) {
                handle(readBack.get(entry.key));
            } else {
                long now = clock.getAsLong();
                PendingFrameGoneException gone =
                        new PendingFrameGoneException(settings.inputTopic(), partition, entry.key);
                outbox.complete(
                        entry.key,
                        new Outcome.Rejected(
                                new InputRecord(settings.inputTopic(), partition, entry.key, null, null, now),
                                FailureStage.UNKNOWN,
                                gone.getClass().getName(),
                                gone.getMessage(),
                                now));
            }
        }
    }

    private Map<Long, InputRecord> readBack(int partition, SortedSet<Long> offsets) {
        try (PendingFrameSource source =
                frameSource.open(context.appConfigs(), context.applicationId() + "-" + context.taskId() + "-pending")) {
            Map<Long, InputRecord> read = source.read(settings.inputTopic(), partition, offsets);
            log.info(
                    "Task {}: read back {} of {} pending frame(s) from {}-{}{}",
                    context.taskId(),
                    read.size(),
                    offsets.size(),
                    settings.inputTopic(),
                    partition,
                    read.size() < offsets.size()
                            ? "; the others are no longer in the topic and become dead letters"
                            : "");
            return read;
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata()
                .orElseThrow(() -> new IllegalStateException("frame records must come from a source topic"));
        InputRecord in = new InputRecord(
                source.topic(), source.partition(), source.offset(), record.key(), record.value(), record.timestamp());
        metrics.frameReceived();
        boolean restoring = !resumed.isEmpty();
        if (!redeliveredAfterResume(in.offset())) {
            if (restoring) {
                outbox.reserveLate(in.offset());
            } else {
                outbox.reserve(in.offset());
            }
            metrics.pendingFrames(1);
            pending.put(in.offset(), OFFSET_ONLY);
            handle(in);
        }
        batcher.deliverFinished();
        forwardFinished();
    }

    /**
     * Whether the input delivers a frame that was resumed from the store (at-least-once only): it is
     * already on its way and must not be batched twice. Offsets arrive increasing, so resumed offsets
     * below this one will not come again and are forgotten. A redelivered offset that is not in the store
     * finished before the crash, but its outcome may not have reached the broker: it is processed again
     * (at-least-once allows the duplicate), and the outbox slots it in before later resumed frames.
     */
    private boolean redeliveredAfterResume(long offset) {
        if (resumed.isEmpty()) {
            return false;
        }
        resumed.headSet(offset, false).clear();
        return resumed.remove(offset);
    }

    private void handle(InputRecord in) {
        FramePreparer.Prepared prepared = preparer.prepare(in, clock.getAsLong());
        if (prepared instanceof FramePreparer.Ready ready) {
            batcher.add(this, in.offset(), ready.frame());
        } else {
            outbox.complete(in.offset(), ((FramePreparer.Done) prepared).outcome());
        }
    }

    @Override
    public void complete(long position, PreparedFrame frame, ImageResult result, BatchInfo batch) {
        outbox.complete(position, new Outcome.Inferred(frame, result, batch));
    }

    private void punctuate() {
        batcher.runIfDue();
        forwardFinished();
    }

    private void forwardFinished() {
        outbox.drain((offset, outcome) -> {
            publish(outcome);
            pending.delete(offset);
            metrics.pendingFrames(-1);
        });
    }

    private void publish(Outcome outcome) {
        long now = clock.getAsLong();
        long timestamp = outcome.input().timestamp();
        if (outcome instanceof Outcome.Inferred inferred) {
            PreparedFrame prepared = inferred.frame();
            String source = prepared.frame().getSourceId();
            metrics.inferred(
                    source,
                    prepared.arrivedAtMs(),
                    inferred.batch().closedAtMs() - prepared.arrivedAtMs(),
                    now - prepared.frame().getCaptureTime().toEpochMilli());
            context.forward(
                    new Record<>(source, outputs.prediction(inferred, now), timestamp), settings.predictionsSink());
            if (settings.embeddingsEnabled()) {
                context.forward(
                        new Record<>(source, outputs.embedding(inferred, settings.normalizeEmbeddings()), timestamp),
                        settings.embeddingsSink());
            }
            if (settings.masksEnabled()) {
                context.forward(new Record<>(source, outputs.mask(inferred), timestamp), settings.masksSink());
            }
        } else if (outcome instanceof Outcome.Skipped skipped) {
            metrics.skipped(skipped.status(), skipped.frame().getSourceId(), skipped.arrivedAtMs());
            context.forward(
                    new Record<>(skipped.frame().getSourceId(), outputs.prediction(skipped, now), timestamp),
                    settings.predictionsSink());
        } else if (outcome instanceof Outcome.Rejected rejected) {
            metrics.deadLetter(rejected.stage());
            context.forward(
                    new Record<>(rejected.input().key(), OutputRecords.deadLetter(rejected), timestamp),
                    settings.deadLettersSink());
        } else {
            throw new IllegalStateException(
                    "unknown outcome " + outcome.getClass().getName());
        }
    }

    @Override
    public void close() {
        // Unfinished frames stay in the store; whoever runs this task next resumes them.
        if (batcher != null) {
            batcher.removeOwner(this);
        }
        metrics.pendingFrames(-outbox.size());
        outbox.clear();
        resumed.clear();
    }
}
