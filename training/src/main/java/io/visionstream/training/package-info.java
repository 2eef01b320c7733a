/**
 * Joint training of the {@link io.visionstream.inference.model.VisionModel}'s backbone, classifier and
 * dense head on synthetic scenes, in Java with DJL's autograd: the training loop ({@link
 * io.visionstream.training.JointTrainer}), its options ({@link
 * io.visionstream.training.TrainConfig}), the from-scratch initialisation policy, AdamW with
 * decoupled weight decay and the warm-up + cosine learning-rate schedule.
 *
 * <p>Depends on {@code model}, {@code vit}, {@code heads}, {@code image} and {@code synthetic}. Prints
 * nothing: progress goes to a {@link io.visionstream.training.TrainListener}.
 */
package io.visionstream.training;
