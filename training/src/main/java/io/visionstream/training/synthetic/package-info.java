/**
 * Procedurally generated training and demo data: "synthetic scenes" (textured backgrounds with
 * overlapping shapes of K classes, each scene with an image-level label and a per-pixel mask) and
 * moving-shape camera sequences for the demo cameras (the app module's synthetic cameras use them).
 *
 * <p>Pure Java, deterministic by seed ({@link java.util.SplittableRandom}, never global randomness),
 * with its own rasteriser so the mask and the image agree pixel for pixel. May depend on {@code
 * io.visionstream.inference.image} for {@link io.visionstream.inference.image.DecodedImage}; nothing
 * else of the project, and no DJL or Kafka.
 */
package io.visionstream.training.synthetic;
