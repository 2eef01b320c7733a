package io.visionstream.inference.image;

import io.visionstream.inference.image.ImageDecodeException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Checks a PNG's structure without decoding pixels: the IHDR header, every chunk's length and CRC, the
 * closing IEND, and that the IDAT stream inflates to exactly the number of bytes the header implies.
 * ImageIO checks none of these strictly: it ignores CRCs, and stops reading once it has the rows it
 * wants, so a header that claims fewer rows than the data holds decodes silently.
 *
 * <p>Stateless; safe for concurrent use.
 */
final class PngStructure {

    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /** The IHDR fields that matter here. */
    record Header(int width, int height, int bitDepth, int colorType, int interlace) {
        int channels() {
            return switch (colorType) {
                case 0, 3 -> 1;
                case 2 -> 3;
                case 4 -> 2;
                case 6 -> 4;
                default -> throw new IllegalStateException("colour type " + colorType + " was validated");
            };
        }
    }

    private PngStructure() {}

    static boolean hasSignature(byte[] data) {
        if (data.length < SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (data[i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads the IHDR chunk, which must come first. Only the first 33 bytes are read: this runs before
     * anything is allocated for pixels.
     */
    static Header readHeader(byte[] data) throws ImageDecodeException {
        if (data.length < 8 + 8 + 13 + 4) {
            throw new ImageDecodeException(
                    Reason.TRUNCATED, "PNG of " + data.length + " bytes ends before its IHDR header does");
        }
        int length = readInt(data, 8);
        String type = new String(data, 12, 4, StandardCharsets.ISO_8859_1);
        if (!"IHDR".equals(type) || length != 13) {
            throw new ImageDecodeException(
                    Reason.CORRUPT,
                    "PNG must start with a 13-byte IHDR chunk, found '" + printable(type) + "' of length " + length);
        }
        checkCrc(data, 8, length, type);
        long width = readInt(data, 16) & 0xFFFFFFFFL;
        long height = readInt(data, 20) & 0xFFFFFFFFL;
        int bitDepth = data[24] & 0xFF;
        int colorType = data[25] & 0xFF;
        int interlace = data[28] & 0xFF;
        if (width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new ImageDecodeException(
                    Reason.CORRUPT, "PNG IHDR declares " + width + "x" + height + ", beyond the PNG maximum 2^31-1");
        }
        boolean validDepth =
                switch (colorType) {
                    case 0 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
                    case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
                    case 2, 4, 6 -> bitDepth == 8 || bitDepth == 16;
                    default -> false;
                };
        if (!validDepth) {
            throw new ImageDecodeException(
                    Reason.CORRUPT, "PNG IHDR has invalid colour type " + colorType + " with bit depth " + bitDepth);
        }
        if (interlace > 1) {
            throw new ImageDecodeException(Reason.CORRUPT, "PNG IHDR has unknown interlace method " + interlace);
        }
        return new Header((int) width, (int) height, bitDepth, colorType, interlace);
    }

    /**
     * Walks every chunk after IHDR, checking lengths and CRCs, requires IEND, and inflates the IDAT
     * stream to check its length against the header. Call only after the header passed the size limits:
     * the inflated length is bounded by them.
     */
    static void verify(byte[] data, Header header) throws ImageDecodeException {
        int pos = 8 + 12 + 13;
        Inflater inflater = new Inflater();
        try {
            long expected = expectedInflatedLength(header);
            long inflated = 0;
            byte[] scratch = new byte[32 * 1024];
            boolean sawIdat = false;
            boolean sawIend = false;
            while (!sawIend) {
                if (pos + 8 > data.length) {
                    throw new ImageDecodeException(
                            Reason.TRUNCATED,
                            "PNG ends at byte " + data.length + " without an IEND chunk (" + (data.length - pos)
                                    + " stray bytes after the last complete chunk)");
                }
                long length = readInt(data, pos) & 0xFFFFFFFFL;
                String type = new String(data, pos + 4, 4, StandardCharsets.ISO_8859_1);
                if (pos + 12L + length > data.length) {
                    throw new ImageDecodeException(
                            Reason.TRUNCATED,
                            "PNG chunk '" + printable(type) + "' at byte " + pos + " declares " + length
                                    + " bytes but the data ends at byte " + data.length);
                }
                checkCrc(data, pos, (int) length, type);
                int body = pos + 8;
                switch (type) {
                    case "IDAT" -> {
                        sawIdat = true;
                        if (!inflater.finished()) {
                            inflater.setInput(data, body, (int) length);
                            inflated += drain(inflater, scratch, expected - inflated);
                        }
                    }
                    case "IEND" -> sawIend = true;
                    case "IHDR" ->
                        throw new ImageDecodeException(Reason.CORRUPT, "PNG has a second IHDR at byte " + pos);
                    default -> {
                        // Ancillary and palette chunks are ImageIO's business; their CRC was checked above.
                    }
                }
                pos = body + (int) length + 4;
            }
            if (!sawIdat) {
                throw new ImageDecodeException(Reason.CORRUPT, "PNG has no IDAT chunk");
            }
            if (!inflater.finished()) {
                throw new ImageDecodeException(
                        inflated < expected ? Reason.TRUNCATED : Reason.CORRUPT,
                        "PNG image data stream is incomplete: inflated " + inflated + " of the " + expected
                                + " bytes a " + header.width() + "x" + header.height() + " image needs");
            }
            if (inflated != expected) {
                throw new ImageDecodeException(
                        Reason.CORRUPT,
                        "PNG image data inflates to " + inflated + " bytes but the IHDR header (" + header.width() + "x"
                                + header.height() + ", bit depth " + header.bitDepth() + ", colour type "
                                + header.colorType() + ") implies " + expected);
            }
        } finally {
            inflater.end();
        }
    }

    /** Inflates what the inflater has, counting bytes; stops counting once past {@code budget}. */
    private static long drain(Inflater inflater, byte[] scratch, long budget) throws ImageDecodeException {
        long produced = 0;
        try {
            while (!inflater.finished() && !inflater.needsInput()) {
                int n = inflater.inflate(scratch);
                if (n == 0 && inflater.needsDictionary()) {
                    throw new ImageDecodeException(Reason.CORRUPT, "PNG image data asks for a preset zlib dictionary");
                }
                produced += n;
                if (produced > budget) {
                    throw new ImageDecodeException(
                            Reason.CORRUPT,
                            "PNG image data inflates to more bytes than its IHDR header implies (over by at least "
                                    + (produced - budget) + ")");
                }
                if (n == 0 && !inflater.needsInput() && !inflater.finished()) {
                    throw new ImageDecodeException(Reason.CORRUPT, "PNG image data stalls while inflating");
                }
            }
        } catch (DataFormatException e) {
            throw new ImageDecodeException(
                    Reason.CORRUPT, "PNG image data is not a valid zlib stream: " + e.getMessage(), e);
        }
        return produced;
    }

    /** Bytes of filtered scanlines (filter byte plus packed row) for the whole image, Adam7 included. */
    static long expectedInflatedLength(Header h) {
        int bitsPerPixel = h.bitDepth() * h.channels();
        if (h.interlace() == 0) {
            return (long) h.height() * (1 + rowBytes(h.width(), bitsPerPixel));
        }
        // Adam7 passes: starting column/row and step.
        int[][] passes = {
            {0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}
        };
        long total = 0;
        for (int[] p : passes) {
            long cols = h.width() > p[0] ? (h.width() - p[0] + p[2] - 1) / p[2] : 0;
            long rows = h.height() > p[1] ? (h.height() - p[1] + p[3] - 1) / p[3] : 0;
            if (cols > 0 && rows > 0) {
                total += rows * (1 + rowBytes(cols, bitsPerPixel));
            }
        }
        return total;
    }

    private static long rowBytes(long width, int bitsPerPixel) {
        return (width * bitsPerPixel + 7) / 8;
    }

    private static void checkCrc(byte[] data, int chunkStart, int length, String type) throws ImageDecodeException {
        CRC32 crc = new CRC32();
        crc.update(data, chunkStart + 4, 4 + length);
        int stored = readInt(data, chunkStart + 8 + length);
        if ((int) crc.getValue() != stored) {
            throw new ImageDecodeException(
                    Reason.CORRUPT,
                    String.format(
                            "PNG chunk '%s' at byte %d has CRC 0x%08x, its data hashes to 0x%08x",
                            printable(type), chunkStart, stored, (int) crc.getValue()));
        }
    }

    static int readInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return sb.toString();
    }
}
