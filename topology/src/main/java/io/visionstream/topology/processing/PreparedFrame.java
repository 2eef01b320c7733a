package io.visionstream.topology.processing;

import io.visionstream.schemas.avro.Frame;

/**
 * A frame ready for the model.
 *
 * @param input the record it came from
 * @param frame the deserialized frame (its image bytes are not needed any more, but kept: they are the
 *     same array as the record's, not a copy)
 * @param slot where its {@code [3, H, W]} normalised floats were written: its slot of the engine input
 *     of the batch it joins
 * @param imageWidth width of the decoded image (as displayed, after EXIF orientation)
 * @param imageHeight height of the decoded image
 * @param arrivedAtMs wall-clock time the processor first saw the record
 */
public record PreparedFrame(
        InputRecord input, Frame frame, InputSlot slot, int imageWidth, int imageHeight, long arrivedAtMs) {}
