package io.visionstream.topology.runtime;

import java.util.Locale;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What {@code /healthz} and {@code /readyz} report: the processor's Kafka Streams state and model state,
 * set by {@link ProcessorInstance} as it starts and stops, read by the HTTP threads. Thread-safe.
 */
final class Health {

    /** Where the model is in its life. */
    enum Model {
        NOT_LOADED,
        LOADING,
        LOADED,
        CLOSED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** An answer: whether the check passed, and the JSON body that says why. */
    record Report(boolean ok, String json) {}

    private volatile Model model = Model.NOT_LOADED;
    private volatile Supplier<KafkaStreams.State> streams;
    private volatile Supplier<Throwable> failure = () -> null;
    private volatile boolean attached;

    /** Claims this health for one processor. */
    synchronized void attach() {
        if (attached) {
            throw new IllegalStateException("a Monitoring watches one processor; this one already has one");
        }
        attached = true;
    }

    void model(Model state) {
        this.model = state;
    }

    void streams(Supplier<KafkaStreams.State> state, Supplier<Throwable> failure) {
        this.failure = failure;
        this.streams = state;
    }

    /** Ready: Kafka Streams RUNNING and the model loaded. */
    Report readiness() {
        String state = streamsState();
        Model m = model;
        boolean ready = state.equals(KafkaStreams.State.RUNNING.name()) && m == Model.LOADED;
        return new Report(
                ready,
                "{\"status\":\"" + (ready ? "ready" : "not_ready") + "\",\"checks\":{\"kafka_streams\":\"" + state
                        + "\",\"model\":\"" + m.label() + "\"}}");
    }

    /**
     * Alive unless processing failed: Kafka Streams in ERROR or PENDING_ERROR, or stopped by an exception. A
     * processor still loading its model, rebalancing, or closed on request is alive.
     */
    Report liveness() {
        String state = streamsState();
        boolean failed = failure.get() != null
                || state.equals(KafkaStreams.State.ERROR.name())
                || state.equals(KafkaStreams.State.PENDING_ERROR.name());
        return new Report(
                !failed,
                "{\"status\":\"" + (failed ? "failed" : "alive") + "\",\"checks\":{\"kafka_streams\":\"" + state
                        + "\"}}");
    }

    private String streamsState() {
        Supplier<KafkaStreams.State> s = streams;
        return s == null ? "NOT_CREATED" : s.get().name();
    }
}
