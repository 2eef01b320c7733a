package io.visionstream.training;

/**
 * Linear warm-up from 0 to {@code peak} over {@code warmupSteps}, then half a cosine from {@code peak}
 * down to {@code floor} at {@code totalSteps}. Immutable.
 *
 * @param peak learning rate at the end of warm-up, positive
 * @param floor learning rate at the last step, in {@code [0, peak]}
 * @param warmupSteps steps of linear warm-up, {@code 0 .. totalSteps}
 * @param totalSteps number of optimiser steps, positive
 */
public record LearningRateSchedule(double peak, double floor, int warmupSteps, int totalSteps) {

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException naming the option and value
     */
    public LearningRateSchedule {
        if (!(peak > 0) || !Double.isFinite(peak)) {
            throw new IllegalArgumentException("lr must be positive, got " + peak);
        }
        if (!(floor >= 0 && floor <= peak)) {
            throw new IllegalArgumentException("min lr must be in [0, lr=" + peak + "], got " + floor);
        }
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("steps must be positive, got " + totalSteps);
        }
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("warmup-steps must be in 0.." + totalSteps + ", got " + warmupSteps);
        }
    }

    /**
     * The learning rate of optimiser step {@code step} (0-based): {@code peak * (step + 1) / warmup}
     * during warm-up, then {@code floor + (peak - floor) * (1 + cos(pi * t)) / 2} with {@code t} going
     * from 0 after warm-up to 1 at the last step.
     */
    public double at(int step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        int decaySteps = totalSteps - warmupSteps;
        double t = decaySteps <= 1 ? 1.0 : (double) (step - warmupSteps) / (decaySteps - 1);
        t = Math.min(1.0, Math.max(0.0, t));
        return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
    }
}
