package io.visionstream.topology.topics;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Kafka's defaults cap a record near 1 MiB in three places (producer request, broker/topic message
 * size, consumer fetch). This derives all of them from one number, {@code max.frame.bytes}: the largest
 * serialized frame value the processor accepts.
 */
public final class FrameSizing {

    /**
     * Room for everything in a record besides the frame value: key, headers (dead-letter error headers
     * included), record-batch framing, and the fields a {@code DeadLetter} wraps around the original
     * bytes.
     */
    public static final int RECORD_OVERHEAD_BYTES = 64 * 1024;

    private final int maxFrameBytes;

    public FrameSizing(int maxFrameBytes) {
        if (maxFrameBytes <= 0) {
            throw new IllegalArgumentException("max.frame.bytes must be positive, got " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The largest frame value accepted; larger ones become dead letters. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** {@code max.message.bytes} the input topic needs: a frame plus key and headers. */
    public int inputTopicMessageBytes() {
        return maxFrameBytes + RECORD_OVERHEAD_BYTES;
    }

    /**
     * {@code max.message.bytes} the dead-letter topic needs, given what the input topic accepts: any
     * record that reaches the input topic may come back out whole, wrapped in a dead letter.
     */
    public static int deadLetterTopicMessageBytes(int inputTopicMessageBytes) {
        return inputTopicMessageBytes + RECORD_OVERHEAD_BYTES;
    }

    /** Topic config for topics that carry whole frames (input, the pending-frames changelog). */
    public Map<String, String> frameTopicConfig() {
        return Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(inputTopicMessageBytes()));
    }

    /**
     * Kafka Streams client overrides so that the producer may send, and the consumers may fetch, a
     * dead letter wrapping the largest frame. Keys carry Kafka Streams' client prefixes.
     */
    public Map<String, Object> streamsClientOverrides() {
        int largestRecord = deadLetterTopicMessageBytes(inputTopicMessageBytes());
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), largestRecord);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), largestRecord);
        props.put(
                StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG),
                Math.max(largestRecord, ConsumerConfig.DEFAULT_FETCH_MAX_BYTES));
        return props;
    }

    /** Overrides for a plain producer of frames (e.g. {@code ./vision produce}). */
    public Map<String, Object> frameProducerOverrides() {
        return Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, inputTopicMessageBytes());
    }

    /** Overrides for a plain consumer of any topic of ours (e.g. {@code ./vision consume}). */
    public Map<String, Object> consumerOverrides() {
        int largestRecord = deadLetterTopicMessageBytes(inputTopicMessageBytes());
        return Map.of(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                largestRecord,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
                Math.max(largestRecord, ConsumerConfig.DEFAULT_FETCH_MAX_BYTES));
    }
}
