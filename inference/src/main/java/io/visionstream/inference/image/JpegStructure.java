package io.visionstream.inference.image;

/**
 * What this package needs from a JPEG's marker segments without decoding it: whether it starts with
 * SOI and ends with EOI, and the Exif orientation from an APP1 segment.
 *
 * <p>Stateless; safe for concurrent use.
 */
final class JpegStructure {

    private JpegStructure() {}

    static boolean hasSignature(byte[] data) {
        return data.length >= 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF;
    }

    /**
     * Whether the data ends with the EOI marker {@code FF D9}. A frame cut short in transit loses it;
     * ImageIO would otherwise return the rows it got with only a warning.
     */
    static boolean endsWithEoi(byte[] data) {
        int n = data.length;
        return n >= 4 && (data[n - 2] & 0xFF) == 0xFF && (data[n - 1] & 0xFF) == 0xD9;
    }

    /**
     * The Exif orientation (tag 0x0112 in IFD0 of the first APP1 "Exif" segment before the scan data),
     * or 1 when there is none, the segment is malformed, or the value is outside 1..8. That matches
     * PIL's {@code ImageOps.exif_transpose}, which leaves an image alone when it finds no usable value.
     */
    static int exifOrientation(byte[] data) {
        int pos = 2;
        while (pos + 4 <= data.length) {
            if ((data[pos] & 0xFF) != 0xFF) {
                return 1; // not at a marker: malformed segment list, no orientation to be had
            }
            int marker = data[pos + 1] & 0xFF;
            if (marker == 0xFF) {
                pos++; // fill byte
                continue;
            }
            if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                pos += 2; // markers without a length
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                return 1; // start of scan or end of image: no Exif before the pixels
            }
            int length = ((data[pos + 2] & 0xFF) << 8) | (data[pos + 3] & 0xFF);
            if (length < 2 || pos + 2 + length > data.length) {
                return 1;
            }
            int body = pos + 4;
            int bodyLength = length - 2;
            if (marker == 0xE1
                    && bodyLength >= 6
                    && data[body] == 'E'
                    && data[body + 1] == 'x'
                    && data[body + 2] == 'i'
                    && data[body + 3] == 'f'
                    && data[body + 4] == 0
                    && data[body + 5] == 0) {
                return tiffOrientation(data, body + 6, bodyLength - 6);
            }
            pos += 2 + length;
        }
        return 1;
    }

    /** Orientation from a TIFF structure (byte-order mark, 42, IFD0) at {@code start}, or 1. */
    static int tiffOrientation(byte[] data, int start, int length) {
        if (length < 8) {
            return 1;
        }
        boolean little;
        if (data[start] == 'I' && data[start + 1] == 'I') {
            little = true;
        } else if (data[start] == 'M' && data[start + 1] == 'M') {
            little = false;
        } else {
            return 1;
        }
        if (u16(data, start + 2, little) != 42) {
            return 1;
        }
        long ifd = u32(data, start + 4, little);
        if (ifd < 8 || ifd + 2 > length) {
            return 1;
        }
        int entries = u16(data, start + (int) ifd, little);
        for (int i = 0; i < entries; i++) {
            long entry = ifd + 2 + 12L * i;
            if (entry + 12 > length) {
                return 1;
            }
            int at = start + (int) entry;
            if (u16(data, at, little) != 0x0112) {
                continue;
            }
            int type = u16(data, at + 2, little);
            long count = u32(data, at + 4, little);
            int value;
            if (type == 3 && count >= 1) { // SHORT, stored left-justified in the value field
                value = u16(data, at + 8, little);
            } else if (type == 4 && count >= 1) { // LONG, tolerated
                long v = u32(data, at + 8, little);
                value = v > 8 ? 0 : (int) v;
            } else {
                return 1;
            }
            return value >= 1 && value <= 8 ? value : 1;
        }
        return 1;
    }

    private static int u16(byte[] b, int off, boolean little) {
        int b0 = b[off] & 0xFF;
        int b1 = b[off + 1] & 0xFF;
        return little ? (b1 << 8) | b0 : (b0 << 8) | b1;
    }

    private static long u32(byte[] b, int off, boolean little) {
        long lo = u16(b, off, little);
        long hi = u16(b, off + 2, little);
        return little ? (hi << 16) | lo : (lo << 16) | hi;
    }
}
