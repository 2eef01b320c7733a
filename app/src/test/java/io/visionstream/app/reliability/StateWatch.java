package io.visionstream.app.reliability;

import io.visionstream.topology.runtime.ProcessorInstance;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;

/** Records every Kafka Streams state the processor passes through, polled every 20 ms. */
final class StateWatch implements AutoCloseable {
    private final List<KafkaStreams.State> seen = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    StateWatch(ProcessorInstance processor) {
        thread = new Thread(
                () -> {
                    while (!closed) {
                        KafkaStreams.State now = processor.state();
                        synchronized (seen) {
                            if (seen.isEmpty() || seen.get(seen.size() - 1) != now) {
                                seen.add(now);
                            }
                        }
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "state-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** The states in the order first seen, consecutive repeats folded. */
    List<KafkaStreams.State> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(5_000);
    }
}
