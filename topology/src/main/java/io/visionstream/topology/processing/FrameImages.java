package io.visionstream.topology.processing;

import io.visionstream.inference.image.DecodedImage;
import io.visionstream.inference.image.FrameFormat;
import io.visionstream.inference.image.ImageDecodeException;
import io.visionstream.inference.image.ImageDecoder;
import io.visionstream.schemas.avro.Frame;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The image of a {@link Frame}, decoded as the processor decodes it: by its declared encoding and size,
 * within the decoder's limits. Shared by the processor and by downstream readers (the live viewer), so
 * both see the same pixels.
 */
public final class FrameImages {

    private FrameImages() {}

    /**
     * Decodes {@code frame}'s image. Thread-safe when {@code decoder} is.
     *
     * @throws ImageDecodeException for every refused image, including an encoding this reads none of
     */
    public static DecodedImage decode(Frame frame, ImageDecoder decoder) throws ImageDecodeException {
        byte[] bytes = bytesOf(frame.getImage());
        int width = frame.getWidth();
        int height = frame.getHeight();
        return switch (frame.getEncoding()) {
            case JPEG -> decoder.decode(bytes, FrameFormat.JPEG, width, height);
            case PNG -> decoder.decode(bytes, FrameFormat.PNG, width, height);
            case RAW_RGB8 -> decoder.decode(bytes, FrameFormat.RAW_RGB8, width, height);
            case RAW_BGR8 -> decoder.decode(swapRedBlue(bytes), FrameFormat.RAW_RGB8, width, height);
            case RAW_GRAY8 -> decoder.decode(grayToRgb(bytes, width, height), FrameFormat.RAW_RGB8, width, height);
            default ->
                throw new ImageDecodeException(
                        ImageDecodeException.Reason.UNSUPPORTED_FORMAT,
                        "frame encoding " + frame.getEncoding().name().toUpperCase(Locale.ROOT)
                                + " is not one this processor reads (JPEG, PNG, RAW_RGB8, RAW_BGR8, RAW_GRAY8)");
        };
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        if (buffer.hasArray()
                && buffer.arrayOffset() == 0
                && buffer.position() == 0
                && buffer.remaining() == buffer.array().length) {
            return buffer.array();
        }
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy;
    }

    private static byte[] swapRedBlue(byte[] bgr) {
        byte[] rgb = bgr.clone();
        for (int i = 0; i + 2 < rgb.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 2] = bgr[i];
        }
        return rgb;
    }

    private static byte[] grayToRgb(byte[] gray, int width, int height) throws ImageDecodeException {
        if ((long) width * height != gray.length) {
            throw new ImageDecodeException(
                    ImageDecodeException.Reason.RAW_LENGTH_MISMATCH,
                    "RAW_GRAY8 frame of " + width + "x" + height + " needs " + (long) width * height + " bytes, got "
                            + gray.length);
        }
        byte[] rgb = new byte[gray.length * 3];
        for (int i = 0; i < gray.length; i++) {
            rgb[3 * i] = gray[i];
            rgb[3 * i + 1] = gray[i];
            rgb[3 * i + 2] = gray[i];
        }
        return rgb;
    }
}
