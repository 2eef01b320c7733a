package io.visionstream.inference.image;

/**
 * A frame that cannot be turned into a {@link DecodedImage}. The {@link #reason()} says why and which
 * pipeline stage refused it; the message names the offending values. This is a checked exception
 * because every caller must route the frame somewhere (a dead letter), never drop it.
 */
public final class ImageDecodeException extends Exception {

    /** Why a frame was refused, and the dead-letter stage that reports it. */
    public enum Reason {
        /** Zero bytes. */
        EMPTY("validate"),
        /** More bytes than {@link DecodeLimits#maxBytes()}. */
        TOO_LARGE_BYTES("validate"),
        /** Not a JPEG or PNG, or a variant this decoder refuses (CMYK JPEG, 16-bit gray PNG). */
        UNSUPPORTED_FORMAT("decode"),
        /** The bytes are of another format than the producer declared. */
        FORMAT_MISMATCH("validate"),
        /** Structurally broken data: bad CRC, bad marker, decoder error, header that lies. */
        CORRUPT("decode"),
        /** The data ends before the image does. */
        TRUNCATED("decode"),
        /** The header declares a width or height of 0. */
        ZERO_SIZE("validate"),
        /** A side exceeds {@link DecodeLimits#maxSide()}. */
        SIDE_TOO_LARGE("validate"),
        /** {@code width * height} exceeds {@link DecodeLimits#maxPixels()}. */
        TOO_MANY_PIXELS("validate"),
        /** The producer declared a width/height the image does not have. */
        DIMENSION_MISMATCH("validate"),
        /** RAW_RGB8 arrived without the width and height it needs. */
        DIMENSIONS_REQUIRED("validate"),
        /** RAW_RGB8 whose length is not {@code width * height * 3}. */
        RAW_LENGTH_MISMATCH("validate");

        private final String stage;

        Reason(String stage) {
            this.stage = stage;
        }

        /** The dead-letter stage name: {@code "validate"} or {@code "decode"}. */
        public String stage() {
            return stage;
        }
    }

    private final Reason reason;

    /** A refusal with no underlying exception. */
    public ImageDecodeException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    /** A refusal caused by a lower-level failure (an ImageIO error, say), kept as the cause. */
    public ImageDecodeException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    /** Why the frame was refused; never null. */
    public Reason reason() {
        return reason;
    }
}
