package io.visionstream.inference.image;

/** The encodings a camera frame may arrive in. */
public enum FrameFormat {
    /** JPEG/JFIF/Exif, baseline or progressive, 8-bit gray or YCbCr. */
    JPEG,
    /** PNG of any colour type; 16-bit is accepted for RGB and RGBA only. */
    PNG,
    /** Bare pixels, 3 bytes per pixel in R, G, B order, rows top to bottom, no header. */
    RAW_RGB8
}
