/**
 * Training beside serving: joint training of the {@link io.visionstream.inference.model.VisionModel}'s
 * backbone, classifier and dense head on synthetic scenes, in Java with DJL's autograd (the loop {@link
 * io.visionstream.training.JointTrainer} and its options {@link io.visionstream.training.TrainConfig},
 * the from-scratch initialisation policy, AdamW with decoupled weight decay, the warm-up + cosine
 * schedule), and the held-out {@link io.visionstream.training.Evaluation} that measures top-1 and mIoU
 * through the serving path.
 *
 * <p>Depends on the {@code inference} module and {@code synthetic}; never on Kafka. Prints nothing:
 * progress goes to a {@link io.visionstream.training.TrainListener}.
 */
package io.visionstream.training;
