package io.visionstream.inference.image;

import io.visionstream.inference.image.ImageDecodeException.Reason;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns frame bytes into an 8-bit RGB {@link DecodedImage}, refusing anything unsafe or broken with an
 * {@link ImageDecodeException} before pixel memory is allocated where that is possible.
 *
 * <p>Order of checks: byte count, format signature, header dimensions against {@link DecodeLimits} and
 * any declared size, structure (PNG chunks and CRCs and inflated length; JPEG EOI marker), then the
 * ImageIO decode with a warning listener that turns any decoder warning into an error.
 *
 * <p>Colour conversion follows PIL's {@code Image.convert('RGB')}: alpha is dropped, not composited;
 * gray is replicated to three channels (1/2/4-bit gray scaled to 0..255); palette indices map to the
 * palette colour, transparency ignored; 16-bit RGB(A) keeps the high byte of each sample. 16-bit gray
 * PNG is refused as {@link Reason#UNSUPPORTED_FORMAT}: PIL reads it as a 32-bit integer mode whose RGB
 * conversion clips rather than scales, which no camera producer intends. JPEG Exif orientation 2..8 is
 * applied as PIL's {@code ImageOps.exif_transpose} does.
 *
 * <p>Thread-safe: every call creates and disposes its own ImageIO reader; the decoder holds only its
 * immutable limits.
 */
public final class ImageDecoder {

    private final DecodeLimits limits;

    /** A decoder enforcing {@code limits}. */
    public ImageDecoder(DecodeLimits limits) {
        if (limits == null) {
            throw new IllegalArgumentException("limits must not be null");
        }
        this.limits = limits;
    }

    /**
     * Decodes a JPEG or PNG recognised by its signature.
     *
     * @throws ImageDecodeException for every refused frame; {@link Reason#UNSUPPORTED_FORMAT} when the
     *     bytes are neither JPEG nor PNG
     */
    public DecodedImage decode(byte[] data) throws ImageDecodeException {
        checkBytes(data);
        if (JpegStructure.hasSignature(data)) {
            return decodeJpeg(data, 0, 0);
        }
        if (PngStructure.hasSignature(data)) {
            return decodePng(data, 0, 0);
        }
        throw new ImageDecodeException(
                Reason.UNSUPPORTED_FORMAT,
                "neither a JPEG nor a PNG signature; first bytes " + hex(data, 8) + " (" + data.length + " bytes)");
    }

    /**
     * Decodes a frame the producer declared to be of {@code format}, without a declared size. RAW_RGB8
     * always needs a size: use {@link #decode(byte[], FrameFormat, int, int)}.
     *
     * @throws ImageDecodeException for every refused frame, {@link Reason#DIMENSIONS_REQUIRED} for
     *     RAW_RGB8
     */
    public DecodedImage decode(byte[] data, FrameFormat format) throws ImageDecodeException {
        return decode(data, format, 0, 0);
    }

    /**
     * Decodes a frame the producer declared to be {@code format} of size {@code declaredWidth} x {@code
     * declaredHeight}. A declared size of 0x0 means "not declared" (allowed for JPEG and PNG only). For
     * JPEG the declared size is compared with the size after Exif orientation, i.e. as displayed.
     *
     * @param data encoded bytes; not modified; for RAW_RGB8 the returned image wraps a copy
     * @throws ImageDecodeException for every refused frame
     */
    public DecodedImage decode(byte[] data, FrameFormat format, int declaredWidth, int declaredHeight)
            throws ImageDecodeException {
        if (format == null) {
            throw new IllegalArgumentException("format must not be null");
        }
        if (declaredWidth < 0 || declaredHeight < 0 || (declaredWidth == 0) != (declaredHeight == 0)) {
            throw new ImageDecodeException(
                    Reason.DIMENSION_MISMATCH,
                    "declared size " + declaredWidth + "x" + declaredHeight
                            + " is invalid: both sides must be positive, or both 0 for undeclared");
        }
        checkBytes(data);
        switch (format) {
            case JPEG -> {
                if (!JpegStructure.hasSignature(data)) {
                    throw new ImageDecodeException(
                            Reason.FORMAT_MISMATCH, "declared JPEG but the data starts with " + hex(data, 8));
                }
                return decodeJpeg(data, declaredWidth, declaredHeight);
            }
            case PNG -> {
                if (!PngStructure.hasSignature(data)) {
                    throw new ImageDecodeException(
                            Reason.FORMAT_MISMATCH, "declared PNG but the data starts with " + hex(data, 8));
                }
                return decodePng(data, declaredWidth, declaredHeight);
            }
            case RAW_RGB8 -> {
                return decodeRaw(data, declaredWidth, declaredHeight);
            }
            default -> throw new IllegalStateException("unhandled format " + format);
        }
    }

    private void checkBytes(byte[] data) throws ImageDecodeException {
        if (data == null || data.length == 0) {
            throw new ImageDecodeException(Reason.EMPTY, "frame has 0 bytes");
        }
        if (data.length > limits.maxBytes()) {
            throw new ImageDecodeException(
                    Reason.TOO_LARGE_BYTES,
                    "frame has " + data.length + " bytes, the limit (decode.max-bytes) is " + limits.maxBytes());
        }
    }

    private void checkSize(String what, long width, long height) throws ImageDecodeException {
        if (width == 0 || height == 0) {
            throw new ImageDecodeException(Reason.ZERO_SIZE, what + " declares a size of " + width + "x" + height);
        }
        if (width > limits.maxSide() || height > limits.maxSide()) {
            throw new ImageDecodeException(
                    Reason.SIDE_TOO_LARGE,
                    what + " is " + width + "x" + height + ", a side exceeds the limit (decode.max-side) of "
                            + limits.maxSide());
        }
        if (width * height > limits.maxPixels()) {
            throw new ImageDecodeException(
                    Reason.TOO_MANY_PIXELS,
                    what + " is " + width + "x" + height + " = " + width * height
                            + " pixels, over the limit (decode.max-pixels) of " + limits.maxPixels());
        }
    }

    private static void checkDeclared(String what, int width, int height, int declaredWidth, int declaredHeight)
            throws ImageDecodeException {
        if (declaredWidth != 0 && (declaredWidth != width || declaredHeight != height)) {
            throw new ImageDecodeException(
                    Reason.DIMENSION_MISMATCH,
                    "producer declared " + declaredWidth + "x" + declaredHeight + " but the " + what + " is " + width
                            + "x" + height);
        }
    }

    private DecodedImage decodeRaw(byte[] data, int width, int height) throws ImageDecodeException {
        if (width == 0) {
            throw new ImageDecodeException(
                    Reason.DIMENSIONS_REQUIRED,
                    "RAW_RGB8 frame of " + data.length + " bytes has no declared width/height");
        }
        checkSize("RAW_RGB8 frame", width, height);
        long expected = (long) width * height * 3;
        if (data.length != expected) {
            throw new ImageDecodeException(
                    Reason.RAW_LENGTH_MISMATCH,
                    "RAW_RGB8 frame declared " + width + "x" + height + " needs " + expected + " bytes, got "
                            + data.length);
        }
        return new DecodedImage(width, height, data.clone());
    }

    private DecodedImage decodePng(byte[] data, int declaredWidth, int declaredHeight) throws ImageDecodeException {
        PngStructure.Header header = PngStructure.readHeader(data);
        checkSize("PNG", header.width(), header.height());
        checkDeclared("PNG", header.width(), header.height(), declaredWidth, declaredHeight);
        if (header.bitDepth() == 16 && (header.colorType() == 0 || header.colorType() == 4)) {
            throw new ImageDecodeException(
                    Reason.UNSUPPORTED_FORMAT,
                    "16-bit grayscale PNG (colour type " + header.colorType() + ") is not supported; send 8-bit");
        }
        PngStructure.verify(data, header);
        BufferedImage image = readWithImageIo(data, "png", "PNG");
        checkDecodedSize("PNG", image, header.width(), header.height());
        return toRgb(image);
    }

    private DecodedImage decodeJpeg(byte[] data, int declaredWidth, int declaredHeight) throws ImageDecodeException {
        if (!JpegStructure.endsWithEoi(data)) {
            throw new ImageDecodeException(
                    Reason.TRUNCATED,
                    "JPEG of " + data.length + " bytes does not end with the EOI marker FF D9 (last bytes "
                            + hex(data, data.length - Math.min(4, data.length), 4) + ")");
        }
        int orientation = JpegStructure.exifOrientation(data);
        ImageReader reader = reader("jpeg");
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener(collector(warnings));
            int width;
            int height;
            try {
                width = reader.getWidth(0); // reads the frame header only
                height = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                throw new ImageDecodeException(Reason.CORRUPT, "JPEG header unreadable: " + e.getMessage(), e);
            }
            checkSize("JPEG", width, height);
            boolean swap = Orientation.swapsSides(orientation);
            checkDeclared(
                    "JPEG (Exif orientation " + orientation + ")",
                    swap ? height : width,
                    swap ? width : height,
                    declaredWidth,
                    declaredHeight);
            BufferedImage image = read(reader, "JPEG");
            failOnWarnings("JPEG", warnings);
            checkDecodedSize("JPEG", image, width, height);
            return Orientation.apply(toRgb(image), orientation);
        } catch (IOException e) {
            throw new ImageDecodeException(Reason.CORRUPT, "JPEG stream error: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    private static BufferedImage readWithImageIo(byte[] data, String formatName, String what)
            throws ImageDecodeException {
        ImageReader reader = reader(formatName);
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener(collector(warnings));
            BufferedImage image = read(reader, what);
            failOnWarnings(what, warnings);
            return image;
        } catch (IOException e) {
            throw new ImageDecodeException(Reason.CORRUPT, what + " stream error: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    private static BufferedImage read(ImageReader reader, String what) throws ImageDecodeException {
        try {
            return reader.read(0, reader.getDefaultReadParam());
        } catch (javax.imageio.IIOException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("Unsupported Image Type") || message.contains("Unsupported JPEG process")) {
                throw new ImageDecodeException(
                        Reason.UNSUPPORTED_FORMAT, what + " variant not supported: " + message, e);
            }
            throw new ImageDecodeException(Reason.CORRUPT, what + " could not be decoded: " + describe(e), e);
        } catch (IOException | RuntimeException e) {
            // ImageIO's plugins signal bad data with unchecked exceptions too (IndexOutOfBounds, etc.).
            throw new ImageDecodeException(Reason.CORRUPT, what + " could not be decoded: " + describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (e.getCause() != null) {
            message += " (caused by " + e.getCause().getClass().getSimpleName() + ": "
                    + e.getCause().getMessage() + ")";
        }
        return message;
    }

    private static void failOnWarnings(String what, List<String> warnings) throws ImageDecodeException {
        if (warnings.isEmpty()) {
            return;
        }
        String joined = String.join("; ", warnings);
        String lower = joined.toLowerCase(java.util.Locale.ROOT);
        Reason reason =
                lower.contains("premature end") || lower.contains("truncat") ? Reason.TRUNCATED : Reason.CORRUPT;
        throw new ImageDecodeException(reason, what + " decoder warned: " + joined);
    }

    private static IIOReadWarningListener collector(List<String> warnings) {
        return (source, warning) -> warnings.add(warning);
    }

    private static void checkDecodedSize(String what, BufferedImage image, int width, int height)
            throws ImageDecodeException {
        if (image == null) {
            throw new ImageDecodeException(Reason.CORRUPT, what + " decoder returned no image");
        }
        if (image.getWidth() != width || image.getHeight() != height) {
            throw new ImageDecodeException(
                    Reason.CORRUPT,
                    what + " header says " + width + "x" + height + " but the decoder produced " + image.getWidth()
                            + "x" + image.getHeight());
        }
    }

    private static ImageReader reader(String formatName) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(formatName);
        if (!readers.hasNext()) {
            throw new IllegalStateException("this JDK has no ImageIO reader for " + formatName);
        }
        return readers.next();
    }

    /** Converts ImageIO's raster to RGB the way PIL's {@code convert('RGB')} does (see class doc). */
    static DecodedImage toRgb(BufferedImage image) throws ImageDecodeException {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        byte[] out = new byte[w * h * 3];
        if (cm instanceof IndexColorModel icm) {
            int size = icm.getMapSize();
            byte[] r = new byte[256];
            byte[] g = new byte[256];
            byte[] b = new byte[256];
            icm.getReds(r);
            icm.getGreens(g);
            icm.getBlues(b);
            int[] row = new int[w];
            int o = 0;
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int i = row[x];
                    if (i >= size) {
                        throw new ImageDecodeException(
                                Reason.CORRUPT,
                                "palette index " + i + " at (" + x + "," + y + ") beyond the " + size
                                        + "-entry palette");
                    }
                    out[o++] = r[i];
                    out[o++] = g[i];
                    out[o++] = b[i];
                }
            }
            return new DecodedImage(w, h, out);
        }
        int bands = raster.getNumBands();
        if (bands < 1 || bands > 4 || bands != cm.getNumComponents()) {
            throw new ImageDecodeException(
                    Reason.UNSUPPORTED_FORMAT,
                    "image with " + bands + " bands and colour model " + cm + " is not supported");
        }
        int bits = raster.getSampleModel().getSampleSize(0);
        boolean gray = bands <= 2;
        if (bits == 8
                && raster.getDataBuffer() instanceof DataBufferByte dbb
                && raster.getSampleModel() instanceof ComponentSampleModel csm
                && raster.getSampleModelTranslateX() == 0
                && raster.getSampleModelTranslateY() == 0
                && dbb.getNumBanks() == 1) {
            byte[] src = dbb.getData();
            int pixelStride = csm.getPixelStride();
            int scanline = csm.getScanlineStride();
            int[] offs = csm.getBandOffsets();
            int base = dbb.getOffset();
            int r = offs[0];
            int g = gray ? offs[0] : offs[1];
            int b = gray ? offs[0] : offs[2];
            int o = 0;
            for (int y = 0; y < h; y++) {
                int p = base + y * scanline;
                for (int x = 0; x < w; x++, p += pixelStride) {
                    out[o++] = src[p + r];
                    out[o++] = src[p + g];
                    out[o++] = src[p + b];
                }
            }
            return new DecodedImage(w, h, out);
        }
        int[] row = new int[w * bands];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int p = x * bands;
                if (gray) {
                    byte v = (byte) to8Bit(row[p], bits);
                    out[o++] = v;
                    out[o++] = v;
                    out[o++] = v;
                } else {
                    out[o++] = (byte) to8Bit(row[p], bits);
                    out[o++] = (byte) to8Bit(row[p + 1], bits);
                    out[o++] = (byte) to8Bit(row[p + 2], bits);
                }
            }
        }
        return new DecodedImage(w, h, out);
    }

    private static int to8Bit(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits == 16) {
            return sample >>> 8; // PIL unpacks 16-bit RGB by keeping the most significant byte
        }
        return sample * 255 / ((1 << bits) - 1);
    }

    private static String hex(byte[] data, int n) {
        return hex(data, 0, n);
    }

    private static String hex(byte[] data, int from, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < Math.min(data.length, from + n); i++) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02X", data[i] & 0xFF));
        }
        return sb.toString();
    }
}
