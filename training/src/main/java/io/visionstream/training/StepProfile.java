package io.visionstream.training;

import java.util.Locale;

/**
 * Where a training run's time went, summed over its steps: the scenes (drawing, augmenting, preprocessing
 * and mixing a batch, all in Java), the forward pass with the losses, the backward pass, the optimiser
 * (gradient clip, AdamW, the EMA) and the held-out evaluations with their checkpoints. libtorch runs every
 * op eagerly on the CPU, so each phase ends when its last op returns.
 *
 * @param steps steps measured
 * @param imagesPerStep batch size
 * @param scenesSeconds batch preparation
 * @param forwardSeconds forward pass and losses (with {@code --teacher}, the teacher's forward too)
 * @param backwardSeconds backward pass, reading the losses back
 * @param optimizerSeconds gradient clip, AdamW and EMA
 * @param evaluationSeconds evaluations and checkpoints
 */
public record StepProfile(
        int steps,
        int imagesPerStep,
        double scenesSeconds,
        double forwardSeconds,
        double backwardSeconds,
        double optimizerSeconds,
        double evaluationSeconds) {

    /** Seconds of the training steps alone, evaluations left out. */
    public double stepSeconds() {
        return scenesSeconds + forwardSeconds + backwardSeconds + optimizerSeconds;
    }

    /** One line: each phase in milliseconds per step and its share of the step. */
    public String describe() {
        double step = stepSeconds();
        return String.format(
                Locale.ROOT,
                "per step of %d images: scenes %s, forward %s, backward %s, optimizer %s; %.1f img/s over the steps;"
                        + " evaluations and checkpoints %.1f s in all",
                imagesPerStep,
                phase(scenesSeconds, step),
                phase(forwardSeconds, step),
                phase(backwardSeconds, step),
                phase(optimizerSeconds, step),
                step > 0 ? steps * (double) imagesPerStep / step : 0.0,
                evaluationSeconds);
    }

    private String phase(double seconds, double step) {
        return String.format(
                Locale.ROOT,
                "%.1f ms (%.0f%%)",
                steps > 0 ? 1000 * seconds / steps : 0.0,
                step > 0 ? 100 * seconds / step : 0.0);
    }
}
