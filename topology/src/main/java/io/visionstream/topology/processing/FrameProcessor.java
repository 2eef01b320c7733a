package io.visionstream.topology.processing;

import io.visionstream.schemas.avro.FailureStage;
import io.visionstream.topology.batching.BatchInfo;
import io.visionstream.topology.batching.ItemResult;
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
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
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
 * <p>A read-back that times out (the partition's leader is gone, the broker is slow) does not stop the
 * task: it is tried again at later punctuations until {@code task.timeout.ms} has passed since the first
 * failure, and only then fails processing. Kafka Streams' own task timeout cannot do this for a processor:
 * it wraps whatever {@code init} throws in a {@code StreamsException} ("failed to initialize processor"),
 * and hands what {@code process} or a punctuator throws to the processing exception handler, so a
 * {@code TimeoutException} from either never reaches {@code maybeInitTaskTimeoutOrThrow}. The same
 * deadline rule applies here instead. While frames wait to be read back, records that arrive are kept as
 * offsets too (stored, slot reserved) and read back with them: memory holds offsets, not frames, for as
 * long as the partition cannot be read.
 *
 * <p>Frames go to the stream thread's shared {@link MicroBatcher}, which runs closed batches on the
 * inference workers. A frame's pixels are written once, into its slot of the forming batch's engine input
 * ({@link FrameSlots}); the worker that runs the batch also encodes the frames' masks. A batch's results are handed over on the stream thread, possibly while another task
 * of the thread is active; they complete this task's frames in memory, and this task forwards them at
 * its next {@code process} or wall-clock punctuation (a context can only forward from its own task).
 */
final class FrameProcessor
        implements Processor<byte[], byte[], Object, Object>,
                MicroBatcher.Owner<PreparedFrame, ItemResult<FrameResult>> {

    private static final Logger log = LoggerFactory.getLogger(FrameProcessor.class);

    /** The store's value for a pending frame: empty, the frame is read back from its input offset. */
    static final byte[] OFFSET_ONLY = new byte[0];

    private final Settings settings;
    private final FramePreparer preparer;
    private final OutputRecords outputs;
    private final Supplier<MicroBatcher<PreparedFrame, ItemResult<FrameResult>>> batcherOfThisThread;
    private final LongSupplier clock;
    private final Supplier<ThreadFrameSource> frameSourceOfThisThread;
    private final Supplier<FrameSlots> slotsOfThisThread;
    private final VisionMetrics metrics;
    private final OrderedOutbox<Outcome> outbox = new OrderedOutbox<>();
    /** Offsets resumed from the store that the input may still deliver again (at-least-once). */
    private final NavigableSet<Long> resumed = new TreeSet<>();
    /** Pending offsets whose slots are reserved and whose frames are still to be read back. */
    private final SortedSet<Long> unread = new TreeSet<>();

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Long, byte[]> pending;
    private MicroBatcher<PreparedFrame, ItemResult<FrameResult>> batcher;
    private FrameSlots slots;
    private ThreadFrameSource frameSource;
    private long taskTimeoutMs;
    /** When the read-back must have succeeded, set at its first timeout; -1 while none has timed out. */
    private long readBackDeadlineMs = -1;

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
            Supplier<MicroBatcher<PreparedFrame, ItemResult<FrameResult>>> batcherOfThisThread,
            LongSupplier clock,
            Supplier<ThreadFrameSource> frameSourceOfThisThread,
            Supplier<FrameSlots> slotsOfThisThread,
            VisionMetrics metrics) {
        this.settings = settings;
        this.preparer = preparer;
        this.outputs = outputs;
        this.batcherOfThisThread = batcherOfThisThread;
        this.clock = clock;
        this.frameSourceOfThisThread = frameSourceOfThisThread;
        this.slotsOfThisThread = slotsOfThisThread;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.pending = context.getStateStore(settings.storeName());
        this.batcher = batcherOfThisThread.get();
        this.slots = slotsOfThisThread.get();
        this.frameSource = frameSourceOfThisThread.get();
        frameSource.acquire();
        this.taskTimeoutMs = taskTimeoutMs(context.appConfigs());
        context.schedule(settings.punctuateEvery(), PunctuationType.WALL_CLOCK_TIME, now -> punctuate());
        resumePendingFrames();
    }

    private static long taskTimeoutMs(Map<String, Object> appConfigs) {
        Object configured = appConfigs.getOrDefault(
                StreamsConfig.TASK_TIMEOUT_MS_CONFIG,
                StreamsConfig.configDef().defaultValues().get(StreamsConfig.TASK_TIMEOUT_MS_CONFIG));
        return Long.parseLong(configured.toString());
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
        for (KeyValue<Long, byte[]> entry : entries) {
            resumed.add(entry.key);
            outbox.reserve(entry.key);
            metrics.pendingFrames(1);
            if (entry.value.length > 0) {
                handle(InputRecord.fromStoreValue(settings.inputTopic(), partition, entry.key, entry.value));
            } else {
                unread.add(entry.key);
            }
        }
        readBackUnread();
    }

    /**
     * Reads the unread frames back and handles them in offset order; a frame no longer in the topic
     * becomes a dead letter. A read that times out is left for a later punctuation, until {@code
     * task.timeout.ms} after the first timeout.
     *
     * @throws IllegalStateException once {@code task.timeout.ms} has passed without a successful read
     */
    private void readBackUnread() {
        if (unread.isEmpty()) {
            return;
        }
        int partition = context.taskId().partition();
        Map<Long, InputRecord> read;
        try {
            read = frameSource.read(context.appConfigs(), settings.inputTopic(), partition, unread);
        } catch (TimeoutException e) {
            long now = clock.getAsLong();
            if (readBackDeadlineMs < 0) {
                readBackDeadlineMs = now + taskTimeoutMs;
            }
            if (now >= readBackDeadlineMs) {
                throw new IllegalStateException(
                        "Task " + context.taskId() + " could not read back " + unread.size() + " pending frame(s) of "
                                + settings.inputTopic() + "-" + partition + " within task.timeout.ms ("
                                + taskTimeoutMs + " ms): " + e.getMessage(),
                        e);
            }
            log.warn(
                    "Task {}: could not read back {} pending frame(s) of {}-{} ({}); trying again for up to {} ms"
                            + " (task.timeout.ms)",
                    context.taskId(),
                    unread.size(),
                    settings.inputTopic(),
                    partition,
                    e.getMessage(),
                    readBackDeadlineMs - now);
            return;
        }
        log.info(
                "Task {}: read back {} of {} pending frame(s) from {}-{}{}",
                context.taskId(),
                read.size(),
                unread.size(),
                settings.inputTopic(),
                partition,
                read.size() < unread.size() ? "; the others are no longer in the topic and become dead letters" : "");
        readBackDeadlineMs = -1;
        List<Long> offsets = new ArrayList<>(unread);
        unread.clear();
        for (long offset : offsets) {
            InputRecord in = read.get(offset);
            if (in != null) {
                handle(in);
            } else {
                long now = clock.getAsLong();
                PendingFrameGoneException gone =
                        new PendingFrameGoneException(settings.inputTopic(), partition, offset);
                outbox.complete(
                        offset,
                        new Outcome.Rejected(
                                new InputRecord(settings.inputTopic(), partition, offset, null, null, now),
                                FailureStage.UNKNOWN,
                                gone.getClass().getName(),
                                gone.getMessage(),
                                now));
            }
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
            if (unread.isEmpty()) {
                handle(in);
            } else {
                unread.add(in.offset()); // behind frames still to be read back: read back with them
            }
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
        // a frame for the model is preprocessed straight into its slot of the forming batch's input
        FramePreparer.Prepared prepared = preparer.prepare(in, clock.getAsLong(), slots::next);
        if (prepared instanceof FramePreparer.Ready ready) {
            batcher.add(this, in.offset(), ready.frame());
        } else {
            outbox.complete(in.offset(), ((FramePreparer.Done) prepared).outcome());
        }
    }

    /** A frame that failed on its own while the rest of its batch ran (see BisectingRunner) is a dead letter. */
    @Override
    public void complete(long position, PreparedFrame frame, ItemResult<FrameResult> result, BatchInfo batch) {
        if (result instanceof ItemResult.Done<FrameResult> done) {
            outbox.complete(position, new Outcome.Inferred(frame, done.value(), batch));
        } else {
            Throwable error = ((ItemResult.Failed<FrameResult>) result).error();
            outbox.complete(
                    position,
                    new Outcome.Rejected(
                            frame.input(),
                            FailureStage.INFER,
                            error.getClass().getName(),
                            error.getMessage(),
                            clock.getAsLong()));
        }
    }

    private void punctuate() {
        readBackUnread();
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
        if (frameSource != null) {
            frameSource.release();
            frameSource = null;
        }
        outbox.clear();
        resumed.clear();
        unread.clear();
    }
}
