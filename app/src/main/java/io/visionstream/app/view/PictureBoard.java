package io.visionstream.app.view;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the viewer serves: each camera's latest picture, encoded once and shared by every client, and the
 * latest {@link Snapshot}. The consumer thread publishes; HTTP threads read, or wait for the next change.
 *
 * <p>Thread-safe.
 */
final class PictureBoard {

    /**
     * One encoded picture.
     *
     * @param version unique and increasing over all cameras
     * @param sequence the frame's sequence number
     * @param jpeg the encoded bytes; never modified once published
     */
    record Picture(String camera, long version, long sequence, byte[] jpeg) {}

    private final Map<String, Picture> pictures = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot =
            new Snapshot(0, new Snapshot.Counters(0, 0, 0, 0, 0, 0, 0), List.of(), List.of());
    private long changes;
    private boolean closed;

    /** Replaces its camera's picture and wakes the waiting clients. */
    synchronized void publish(Picture picture) {
        pictures.put(picture.camera(), picture);
        changes++;
        notifyAll();
    }

    /** Replaces the snapshot and wakes the waiting clients. */
    synchronized void publish(Snapshot next) {
        snapshot = next;
        changes++;
        notifyAll();
    }

    /** {@code camera}'s latest picture, or null before its first. */
    Picture picture(String camera) {
        return pictures.get(camera);
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** A count of everything published so far; pass it to {@link #awaitChange}. */
    synchronized long changes() {
        return changes;
    }

    /**
     * Waits until something is published after {@code seen} (a value of {@link #changes}), the board
     * closes, or {@code timeoutMs} passes.
     *
     * @return the current count of changes, or -1 once the board is closed
     */
    synchronized long awaitChange(long seen, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (!closed && changes == seen) {
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0) {
                break;
            }
            wait(leftMs);
        }
        return closed ? -1 : changes;
    }

    /** Ends every wait: the streams see -1 and finish. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }
}
