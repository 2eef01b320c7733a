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
 * <p>Positions are reserved in increasing order ({@link #reserve}). After an at-least-once restore, records
 * the input delivers again can lie between frames resumed from the store: {@link #reserveLate} takes
 * those, and the late one is released before the later ones, as its offset says. Not thread-safe: one
 * instance per task, used from the task's stream thread.
 *
 * @param <O> an outcome
 */
public final class OrderedOutbox<O> {

    /** Marks a reserved position whose outcome is not known yet. */
    private static final Object WAITING = new Object();

    private final TreeMap<Long, Object> slots = new TreeMap<>();
    private long highestReserved = Long.MIN_VALUE;

    /**
     * Reserves a place for the outcome of {@code position}.
     *
     * @throws IllegalArgumentException if {@code position} is not greater than every position reserved
     *     before: outcomes could then no longer be released in input order
     */
    public void reserve(long position) {
        if (position <= highestReserved) {
            throw new IllegalArgumentException("positions must increase: " + position + " after " + highestReserved);
        }
        highestReserved = position;
        slots.put(position, WAITING);
    }

    /**
     * Reserves a place for {@code position}, which may lie below positions reserved before (a record
     * delivered again after an at-least-once restore); it is released in position order among those
     * still waiting.
     *
     * @throws IllegalArgumentException if {@code position} is reserved and not yet released
     */
    public void reserveLate(long position) {
        if (slots.containsKey(position)) {
            throw new IllegalArgumentException("position " + position + " is already reserved");
        }
        highestReserved = Math.max(highestReserved, position);
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
        highestReserved = Long.MIN_VALUE;
    }
}
