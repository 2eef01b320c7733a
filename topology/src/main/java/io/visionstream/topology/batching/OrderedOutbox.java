package io.visionstream.topology.batching;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Outcomes of one task, released strictly in position (input offset) order, so that outputs keep the
 * input's per-key order even though some outcomes (a dead letter, a skipped frame) are known at once and
 * others (an inference result) only after a batch runs.
 *
 * <p>Positions are normally reserved in increasing order. One may also be reserved below positions still
 * waiting: under at-least-once, records redelivered after a restore can lie between frames resumed from
 * the store; the late one is then released before the later ones, as its offset says. Not thread-safe:
 * one instance per task, used from the task's stream thread.
 *
 * @param <O> an outcome
 */
public final class OrderedOutbox<O> {

    /** Marks a reserved position whose outcome is not known yet. */
    private static final Object WAITING = new Object();

    private final TreeMap<Long, Object> slots = new TreeMap<>();

    /**
     * Reserves a place for the outcome of {@code position}.
     *
     * @throws IllegalArgumentException if {@code position} is reserved and not yet released
     */
    public void reserve(long position) {
        if (slots.containsKey(position)) {
            throw new IllegalArgumentException("position " + position + " is already reserved");
        }
        slots.put(position, WAITING);
    }

    /** Whether {@code position} is reserved and not yet released. */
    public boolean isReserved(long position) {
        return slots.containsKey(position);
    }

    /**
     * Records the outcome of a reserved position.
     *
     * @throws IllegalStateException if the position was not reserved or already has an outcome
     */
    public void complete(long position, O outcome) {
        Object current = slots.get(position);
        if (current == null) {
            throw new IllegalStateException("position " + position + " was never reserved or was already released");
        }
        if (current != WAITING) {
            throw new IllegalStateException("position " + position + " already has an outcome");
        }
        slots.put(position, java.util.Objects.requireNonNull(outcome, "outcome"));
    }

    /**
     * Hands every outcome at the head of the line to {@code release}, in position order, stopping at the
     * first position still waiting.
     *
     * @return how many were released
     */
    @SuppressWarnings("unchecked") // every value but WAITING was put by complete(long, O)
    public int drain(BiConsumer<Long, O> release) {
        int released = 0;
        Iterator<Map.Entry<Long, Object>> head = slots.entrySet().iterator();
        while (head.hasNext()) {
            Map.Entry<Long, Object> slot = head.next();
            if (slot.getValue() == WAITING) {
                break;
            }
            head.remove();
            release.accept(slot.getKey(), (O) slot.getValue());
            released++;
        }
        return released;
    }

    /** Positions reserved and not yet released. */
    public int size() {
        return slots.size();
    }

    /** Forgets everything, e.g. when the task closes; durable state restores what was unreleased. */
    public void clear() {
        slots.clear();
    }
}
