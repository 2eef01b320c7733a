/**
 * The training recipe: timm's regularisation and augmentation options as small components the joint
 * trainer switches on one by one. Label smoothing and the soft-target cross-entropy ({@link
 * io.visionstream.training.recipe.SoftTargets}), batch Mixup/CutMix that also mixes the per-pixel masks
 * ({@link io.visionstream.training.recipe.MixupCutmix}), RandAugment applied to image and mask alike
 * ({@link io.visionstream.training.recipe.RandAugment}), timm's weight-decay groups ({@link
 * io.visionstream.training.recipe.WeightDecayGroups}) and an exponential moving average of the weights
 * ({@link io.visionstream.training.recipe.ModelEma}). Stochastic depth lives in the model itself
 * ({@code inference.layers.DropPath}, rates from {@code VitConfig.dropPathRate}), since inference cannot
 * depend on training.
 *
 * <p>Every random choice comes from a {@link java.util.SplittableRandom} the caller passes in, so a run
 * is reproducible from its seed. Arrays that enter an autograd graph are allocated by libtorch (see
 * {@code OwnedArrays}), never backed by Java buffers. Depends on DJL's NDArray API and the JDK only;
 * nothing of Kafka, and nothing of the trainer that uses it.
 */
package io.visionstream.training.recipe;
