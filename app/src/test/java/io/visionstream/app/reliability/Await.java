package io.visionstream.app.reliability;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling with a deadline: these tests never assume how fast a shared 2-core machine is. */
final class Await {

    private Await() {}

    /**
     * Polls {@code condition} every 50 ms until it holds.
     *
     * @param what the condition in words, for the failure message
     * @param state what was seen instead, appended to the failure message
     * @throws AssertionError if it does not hold within {@code timeout}
     */
    static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out after " + timeout.toSeconds() + " s waiting until " + what + "; " + state.get());
            }
            Thread.sleep(50);
        }
    }
}
