package io.visionstream.training;

import java.nio.file.Path;

/**
 * The outcome of a training run.
 *
 * @param dir the model directory written at the end
 * @param steps optimiser steps done
 * @param seconds wall time of the run, evaluations and saving included
 * @param imagesPerSecond training images per second over the training steps alone
 * @param firstLoss mean total loss over the first {@code min(10, steps)} steps
 * @param lastLoss mean total loss over the last {@code min(10, steps)} steps
 * @param skippedSteps steps whose update was skipped because a gradient was not finite
 * @param evaluation the held-out evaluation of the final model
 * @param profile where the time went, phase by phase
 */
public record TrainResult(
        Path dir,
        int steps,
        double seconds,
        double imagesPerSecond,
        double firstLoss,
        double lastLoss,
        int skippedSteps,
        Evaluation.Result evaluation,
        StepProfile profile) {}
