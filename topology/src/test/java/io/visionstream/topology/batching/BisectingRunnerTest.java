package io.visionstream.topology.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BisectingRunnerTest {

    private final List<List<Integer>> runs = new ArrayList<>();

    /** A "device" that doubles each input, fails with out-of-memory above {@code maxBatch} items or on {@code poison}. */
    private MicroBatcher.Runner<Integer, Integer> device(int maxBatch, int poison) {
        return inputs -> {
            runs.add(List.copyOf(inputs));
            if (inputs.size() > maxBatch || inputs.contains(poison)) {
                throw new IllegalStateException("CUDA out of memory. Tried to allocate 2.00 GiB");
            }
            return inputs.stream().map(i -> i * 2).toList();
        };
    }

    private static boolean outOfMemory(Throwable t) {
        return t.getMessage() != null && t.getMessage().contains("out of memory");
    }

    private static List<Integer> inputs(int n) {
        List<Integer> in = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            in.add(i);
        }
        return in;
    }

    private static List<Object> values(List<ItemResult<Integer>> results) {
        return results.stream()
                .map(r -> r instanceof ItemResult.Done<Integer> d ? (Object) d.value() : "failed")
                .toList();
    }

    @Test
    void aBatchThatRunsRunsOnce() {
        var runner = new BisectingRunner<>(device(8, -1), BisectingRunnerTest::outOfMemory);

        assertThat(values(runner.run(inputs(8)))).containsExactly(2, 4, 6, 8, 10, 12, 14, 16);
        assertThat(runs).hasSize(1);
    }

    @Test
    void aBatchTooLargeForTheDeviceRunsInHalvesUntilThePartsFitAndEveryItemGetsItsResultInOrder() {
        var runner = new BisectingRunner<>(device(2, -1), BisectingRunnerTest::outOfMemory);

        assertThat(values(runner.run(inputs(8)))).containsExactly(2, 4, 6, 8, 10, 12, 14, 16);
        assertThat(runs)
                .containsExactly(
                        inputs(8),
                        List.of(1, 2, 3, 4),
                        List.of(1, 2),
                        List.of(3, 4),
                        List.of(5, 6, 7, 8),
                        List.of(5, 6),
                        List.of(7, 8));
    }

    @Test
    void anItemThatFailsOnItsOwnWhileItsNeighboursRunIsTheOnlyFailure() {
        var runner = new BisectingRunner<>(device(8, 6), BisectingRunnerTest::outOfMemory);

        List<ItemResult<Integer>> results = runner.run(inputs(7));

        assertThat(values(results)).containsExactly(2, 4, 6, 8, 10, "failed", 14);
        assertThat(((ItemResult.Failed<Integer>) results.get(5)).error())
                .hasMessage("CUDA out of memory. Tried to allocate 2.00 GiB");
    }

    @Test
    void aFailureThatEverySplitRepeatsIsThrownAsTheWholeBatchsFailure() {
        var runner = new BisectingRunner<>(device(0, -1), BisectingRunnerTest::outOfMemory);

        assertThatThrownBy(() -> runner.run(inputs(4)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("CUDA out of memory. Tried to allocate 2.00 GiB");
        assertThat(runs).hasSize(7); // 4, 2, 1, 1, 2, 1, 1
    }

    @Test
    void aSingleItemBatchThatRunsOutOfMemoryHasNoNeighboursToClearItAndIsThrown() {
        var runner = new BisectingRunner<>(device(8, 1), BisectingRunnerTest::outOfMemory);

        assertThatThrownBy(() -> runner.run(List.of(1))).hasMessageContaining("out of memory");
    }

    @Test
    void aFailureThatIsNotTheBatchsIsThrownAtOnceWithoutSplitting() {
        MicroBatcher.Runner<Integer, Integer> broken = inputs -> {
            runs.add(List.copyOf(inputs));
            throw new IllegalStateException("CUDA error: device-side assert triggered");
        };
        var runner = new BisectingRunner<>(broken, BisectingRunnerTest::outOfMemory);

        assertThatThrownBy(() -> runner.run(inputs(8))).hasMessage("CUDA error: device-side assert triggered");
        assertThat(runs).hasSize(1);
    }

    @Test
    void aModelFailureInAPartIsThrownToo() {
        MicroBatcher.Runner<Integer, Integer> device = inputs -> {
            runs.add(List.copyOf(inputs));
            if (inputs.size() > 2) {
                throw new IllegalStateException("CUDA out of memory");
            }
            throw new IllegalStateException("CUDA error: device-side assert triggered");
        };
        var runner = new BisectingRunner<>(device, BisectingRunnerTest::outOfMemory);

        assertThatThrownBy(() -> runner.run(inputs(4))).hasMessage("CUDA error: device-side assert triggered");
    }
}
