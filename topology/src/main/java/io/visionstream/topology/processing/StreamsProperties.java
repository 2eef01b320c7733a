package io.visionstream.topology.processing;

import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.topics.FrameSizing;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;

/** The Kafka Streams properties of the processor, built from its config. */
public final class StreamsProperties {

    /** The producer transaction timeout unless configured: room for slow batches behind others. */
    static final int TRANSACTION_TIMEOUT_MS = 60_000;

    private StreamsProperties() {}

    /**
     * Pass-through client settings come first so that the settings the processor's guarantees rest on
     * (sizes, processing guarantee, exception handling) cannot be overridden by accident.
     */
    public static Properties of(VisionConfig config) {
        Properties props = new Properties();
        props.putAll(config.kafka());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.processingGuarantee());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        config.stateDir().ifPresent(dir -> props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString()));
        // Wall-clock punctuation (closing batches by delay) is checked after each poll: an idle thread
        // must not sleep longer than a fraction of the batch delay.
        props.putIfAbsent(
                StreamsConfig.POLL_MS_CONFIG,
                VisionTopology.punctuationInterval(config.maxBatchDelayMs()).toMillis());
        // A processing exception (an engine failure) must stop the thread: pending frames then resume
        // from the store. Continuing would leave frames in the outbox that never complete.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndFailProcessingExceptionHandler.class);
        props.putAll(new FrameSizing(config.maxFrameBytes()).streamsClientOverrides());
        // Under exactly-once a stream thread's transaction stays open while it waits for its oldest batch
        // (max.inflight.batches back-pressure), which may queue behind other threads' batches on the
        // inference workers: Kafka Streams' 10 s transaction timeout is too short for a slow model on CPU.
        String txTimeout = StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        if (!props.containsKey(txTimeout) && !props.containsKey(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)) {
            props.put(txTimeout, TRANSACTION_TIMEOUT_MS);
        }
        return props;
    }
}
