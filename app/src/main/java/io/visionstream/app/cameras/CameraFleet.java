package io.visionstream.app.cameras;

import io.visionstream.schemas.avro.Frame;
import io.visionstream.training.synthetic.SceneConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * N synthetic cameras, each producing frames to one topic at a fixed rate, keyed by camera id. Each
 * camera runs on its own scheduled task, which never overlaps itself, so a camera's frames are sent in
 * sequence order.
 *
 * <p>Thread-safe. Close it to stop the cameras; the producer is the caller's.
 */
public final class CameraFleet implements AutoCloseable {

    /** Told about every frame the producer acknowledged. */
    @FunctionalInterface
    public interface Listener {
        void sent(SyntheticCamera.Shot shot);
    }

    /** Frames between a camera's cuts to a new scene: 4 s at 5 frames/s. */
    public static final int FRAMES_PER_SHOT = 20;

    private final ScheduledExecutorService scheduler;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong attempted = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

    private CameraFleet(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /**
     * Starts {@code cameras} cameras named {@code cam-0 .. cam-(n-1)} at {@code fps} frames per second each.
     *
     * @param seed camera {@code i} uses seed {@code seed + i}
     */
    public static CameraFleet start(
            int cameras,
            double fps,
            SceneConfig scenes,
            long seed,
            String topic,
            Producer<byte[], byte[]> producer,
            Serializer<Frame> frames,
            Listener listener) {
        if (cameras < 1) {
            throw new IllegalArgumentException("--cameras must be at least 1, got " + cameras);
        }
        if (!(fps > 0) || fps > 10_000) {
            throw new IllegalArgumentException("--fps must be in (0, 10000], got " + fps);
        }
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(cameras, r -> {
            Thread t = new Thread(r, "camera");
            t.setDaemon(true);
            return t;
        });
        CameraFleet fleet = new CameraFleet(scheduler);
        long periodMicros = Math.max(1, Math.round(1_000_000 / fps));
        List<SyntheticCamera> all = new ArrayList<>();
        for (int i = 0; i < cameras; i++) {
            all.add(new SyntheticCamera("cam-" + i, seed + i, scenes, 90, FRAMES_PER_SHOT));
        }
        for (int i = 0; i < cameras; i++) {
            SyntheticCamera camera = all.get(i);
            // Spread the cameras over one period so they do not all fire at once.
            long offset = periodMicros * i / cameras;
            scheduler.scheduleAtFixedRate(
                    () -> fleet.shoot(camera, topic, producer, frames, listener),
                    offset,
                    periodMicros,
                    TimeUnit.MICROSECONDS);
        }
        return fleet;
    }

    private void shoot(
            SyntheticCamera camera,
            String topic,
            Producer<byte[], byte[]> producer,
            Serializer<Frame> frames,
            Listener listener) {
        if (firstFailure.get() != null) {
            return;
        }
        try {
            SyntheticCamera.Shot shot = camera.next(System.currentTimeMillis());
            byte[] key = camera.sourceId().getBytes(StandardCharsets.UTF_8);
            attempted.incrementAndGet();
            producer.send(new ProducerRecord<>(topic, key, frames.serialize(topic, shot.frame())), (metadata, e) -> {
                if (e != null) {
                    firstFailure.compareAndSet(null, e);
                } else {
                    sent.incrementAndGet();
                    listener.sent(shot);
                }
            });
        } catch (RuntimeException e) {
            // A periodic task that throws is cancelled without a word; record why the camera stopped.
            firstFailure.compareAndSet(null, e);
        }
    }

    /** Frames the broker acknowledged. */
    public long sent() {
        return sent.get();
    }

    /** Frames handed to the producer. */
    public long attempted() {
        return attempted.get();
    }

    /** The first send that failed; the fleet stops shooting after it. */
    public Exception failure() {
        return firstFailure.get();
    }

    /** Stops the cameras (frames already handed to the producer are still sent). */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("cameras did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs until {@code duration} has passed, then stops. */
    public void runFor(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
        close();
    }
}
