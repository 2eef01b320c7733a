package io.visionstream.inference.image;

import io.visionstream.inference.image.ImageDecodeException.Reason;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/** Reads the raw single-channel samples (class indices) of an 8-bit palette or gray PNG. */
final class MaskReader {

    private MaskReader() {}

    static byte[] read(byte[] png, DecodeLimits limits) throws ImageDecodeException {
        if (png == null || png.length == 0) {
            throw new ImageDecodeException(Reason.EMPTY, "mask PNG has 0 bytes");
        }
        if (png.length > limits.maxBytes()) {
            throw new ImageDecodeException(
                    Reason.TOO_LARGE_BYTES,
                    "mask PNG has " + png.length + " bytes, the limit (decode.max-bytes) is " + limits.maxBytes());
        }
        if (!PngStructure.hasSignature(png)) {
            throw new ImageDecodeException(Reason.FORMAT_MISMATCH, "mask is not a PNG");
        }
        PngStructure.Header h = PngStructure.readHeader(png);
        if (h.bitDepth() != 8 || (h.colorType() != 3 && h.colorType() != 0)) {
            throw new ImageDecodeException(
                    Reason.UNSUPPORTED_FORMAT,
                    "mask PNG must be 8-bit palette or gray, got bit depth " + h.bitDepth() + " colour type "
                            + h.colorType());
        }
        long pixels = (long) h.width() * h.height();
        if (h.width() == 0 || h.height() == 0) {
            throw new ImageDecodeException(Reason.ZERO_SIZE, "mask PNG is " + h.width() + "x" + h.height());
        }
        if (h.width() > limits.maxSide() || h.height() > limits.maxSide() || pixels > limits.maxPixels()) {
            throw new ImageDecodeException(
                    Reason.TOO_MANY_PIXELS, "mask PNG is " + h.width() + "x" + h.height() + ", over the decode limits");
        }
        PngStructure.verify(png, h);
        ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(png))) {
            reader.setInput(in, true, true);
            BufferedImage bi = reader.read(0);
            Raster r = bi.getRaster();
            int[] samples = r.getSamples(0, 0, h.width(), h.height(), 0, (int[]) null);
            byte[] out = new byte[samples.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) samples[i];
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException(Reason.CORRUPT, "mask PNG could not be decoded: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }
}
