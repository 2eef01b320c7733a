package io.visionstream.training;

import java.nio.file.Path;

/** Receives the trainer's progress; called on the training thread. Default methods do nothing. */
public interface TrainListener {

    /**
     * A one-line note about the run's set-up (model size, what was initialised from where).
     *
     * @param line the note, without a line break
     */
    default void onInfo(String line) {}

    /**
     * After each optimiser step.
     *
     * @param stats the step's numbers
     */
    default void onStep(StepStats stats) {}

    /**
     * After each held-out evaluation.
     *
     * @param step optimiser steps done
     * @param result the evaluation
     */
    default void onEvaluation(int step, Evaluation.Result result) {}

    /**
     * After the model directory has been written.
     *
     * @param step optimiser steps done
     * @param dir the model directory
     */
    default void onCheckpoint(int step, Path dir) {}

    /**
     * One optimiser step.
     *
     * @param step steps done, 1-based
     * @param totalSteps steps planned
     * @param loss total loss {@code cls + denseWeight * dense}
     * @param classLoss cross-entropy of the CLS logits
     * @param denseLoss mean per-pixel cross-entropy of the dense logits
     * @param lr learning rate used
     * @param gradNorm global gradient norm before clipping
     * @param imagesPerSecond training images per second over the step (data generation included)
     */
    record StepStats(
            int step,
            int totalSteps,
            double loss,
            double classLoss,
            double denseLoss,
            double lr,
            double gradNorm,
            double imagesPerSecond) {}
}
