package io.visionstream.topology.batching;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a batch and, when it fails for a reason that is the batch's rather than the model's, runs it again
 * in halves, so that one failure costs neither the whole batch nor the processor.
 *
 * <ul>
 *   <li>A failure that {@code batchsFault} accepts (resource exhaustion: the device ran out of memory for
 *       this many items) reruns the items in two halves, each under the same rule, down to single items.
 *   <li>An item that still fails in a run of its own becomes {@link ItemResult.Failed}, provided at least
 *       one other item of the batch ran: its neighbours succeeded, so the failure is the item's.
 *   <li>A failure that every split repeats, down to every single item, is not the batch's: the original
 *       failure is thrown, and processing stops loudly as for any engine failure.
 *   <li>Any other failure, of the whole batch or of a part, is thrown as it is.
 * </ul>
 *
 * <p>A batch of n items that never fails runs once. Isolating one failing item costs about 2 log2(n) more
 * runs; a batch in which every item fails costs 2n - 1 runs before the failure is thrown. Thread-safe if
 * the runner it wraps is.
 *
 * @param <T> an item going in
 * @param <R> an item's result
 */
public final class BisectingRunner<T, R> implements MicroBatcher.Runner<T, ItemResult<R>> {

    private static final Logger log = LoggerFactory.getLogger(BisectingRunner.class);

    private final MicroBatcher.Runner<T, R> runner;
    private final Predicate<Throwable> batchsFault;

    /**
     * @param runner runs one batch, or part of one
     * @param batchsFault whether a failure is the batch's (worth rerunning smaller), e.g. {@code
     *     ResourceExhaustion::isResourceExhaustion}
     */
    public BisectingRunner(MicroBatcher.Runner<T, R> runner, Predicate<Throwable> batchsFault) {
        this.runner = runner;
        this.batchsFault = batchsFault;
    }

    @Override
    public List<ItemResult<R>> run(List<T> inputs) {
        List<R> results;
        try {
            results = runner.run(inputs);
        } catch (RuntimeException | Error failure) {
            if (!batchsFault.test(failure)) {
                throw failure;
            }
            return split(inputs, failure);
        }
        List<ItemResult<R>> done = new ArrayList<>(results.size());
        results.forEach(r -> done.add(new ItemResult.Done<>(r)));
        return done;
    }

    private List<ItemResult<R>> split(List<T> inputs, Throwable failure) {
        log.warn(
                "A batch of {} failed for want of resources ({}); running it again in halves",
                inputs.size(),
                failure.toString());
        List<ItemResult<R>> out = new ArrayList<>(inputs.size());
        int[] succeeded = {0};
        bisect(inputs, failure, out, succeeded);
        if (succeeded[0] == 0) {
            // Not one item ran, whatever the split: the device cannot run this model now; not the batch's fault.
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw (Error) failure;
        }
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) instanceof ItemResult.Failed<R> failed) {
                log.warn(
                        "Item {} of a batch of {} failed on its own while others ran; it becomes a failure of its"
                                + " own: {}",
                        i,
                        inputs.size(),
                        failed.error().toString());
            }
        }
        return out;
    }

    /** Appends the results of {@code items}, which failed together with {@code failure}, to {@code out}. */
    private void bisect(List<T> items, Throwable failure, List<ItemResult<R>> out, int[] succeeded) {
        if (items.size() == 1) {
            out.add(new ItemResult.Failed<>(failure));
            return;
        }
        int half = (items.size() + 1) / 2;
        for (List<T> part : List.of(items.subList(0, half), items.subList(half, items.size()))) {
            List<R> results;
            try {
                results = runner.run(part);
            } catch (RuntimeException | Error partFailure) {
                if (!batchsFault.test(partFailure)) {
                    throw partFailure;
                }
                bisect(part, partFailure, out, succeeded);
                continue;
            }
            if (results.size() != part.size()) {
                throw new IllegalStateException(
                        "runner returned " + results.size() + " results for a batch of " + part.size());
            }
            results.forEach(r -> out.add(new ItemResult.Done<>(r)));
            succeeded[0] += part.size();
        }
    }
}
