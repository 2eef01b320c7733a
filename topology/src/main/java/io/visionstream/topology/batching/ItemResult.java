package io.visionstream.topology.batching;

import java.util.Objects;

/**
 * What a batch produced for one item: its result, or the failure of a run of that item alone.
 *
 * @param <R> a successful item's result
 */
public sealed interface ItemResult<R> permits ItemResult.Done, ItemResult.Failed {

    /** The item ran; {@code value} is what the runner returned for it. */
    record Done<R>(R value) implements ItemResult<R> {
        public Done {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * The item failed on its own, in a run of just this item, while other items of its batch ran: the
     * failure is the item's. {@code error} is what that run threw.
     */
    record Failed<R>(Throwable error) implements ItemResult<R> {
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }
}
