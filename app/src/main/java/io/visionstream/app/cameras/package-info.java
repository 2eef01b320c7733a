/**
 * Frame sources: synthetic cameras (moving shapes with their ground truth) and image files, turned into
 * {@code Frame} records and produced to the input topic. Used by {@code ./vision produce} and {@code
 * ./vision demo}.
 */
package io.visionstream.app.cameras;
