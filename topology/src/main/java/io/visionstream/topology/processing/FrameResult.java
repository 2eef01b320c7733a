package io.visionstream.topology.processing;

import io.visionstream.inference.engine.ImageResult;
import java.util.Objects;

/**
 * What an inference worker made of one frame: the model's outputs, and the frame's segmentation mask
 * already projected back to the frame's size and encoded, so the stream thread only assembles records.
 *
 * @param image the model's outputs for the frame
 * @param maskPng the mask as {@link OutputRecords#maskPng} encodes it; null when masks are not published
 */
record FrameResult(ImageResult image, byte[] maskPng) {

    FrameResult {
        Objects.requireNonNull(image, "image");
    }
}
