/**
 * Camera-frame images: decoding JPEG, PNG and raw RGB bytes into {@link
 * io.visionstream.inference.image.DecodedImage} under safety limits, timm-style eval preprocessing into
 * the engine's {@code float[]} CHW batch layout, and encoding helpers (JPEG, class-index mask PNG,
 * colour overlay PNG).
 *
 * <p>Depends only on the JDK ({@code javax.imageio}, {@code java.awt.image}, {@code java.util.zip}); it
 * must not import DJL, Kafka or any other package of this project, so it can be tested and reused on
 * its own. Every decoding failure is an {@link io.visionstream.inference.image.ImageDecodeException}
 * carrying a reason the topology maps to a dead letter.
 */
package io.visionstream.inference.image;
