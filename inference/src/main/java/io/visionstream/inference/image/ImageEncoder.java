package io.visionstream.inference.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes images for the topology: JPEG frames for synthetic cameras, class-index mask PNGs, and
 * colour overlays a person can look at. Writes go to memory only (no ImageIO disk cache).
 *
 * <p>Stateless and thread-safe: every call creates and disposes its own ImageIO writer. Encoding into
 * memory cannot fail for I/O reasons; should an ImageIO writer fail anyway, the {@link IOException} is
 * rethrown as {@link UncheckedIOException}, since it is a bug, not a bad record.
 */
public final class ImageEncoder {

    private ImageEncoder() {}

    /**
     * JPEG of {@code img} (baseline, 4:2:0, JFIF) at {@code quality}.
     *
     * @param quality 1..100, as in libjpeg; 90 is a sensible camera default
     * @throws IllegalArgumentException if quality is out of range
     */
    public static byte[] jpeg(DecodedImage img, int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("jpeg.quality must be in 1..100, got " + quality);
        }
        BufferedImage bi = toBufferedImage(img);
        ImageWriter writer = writer("jpeg");
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            return write(writer, bi, param);
        } finally {
            writer.dispose();
        }
    }

    /** Lossless 8-bit RGB PNG of {@code img}. */
    public static byte[] png(DecodedImage img) {
        ImageWriter writer = writer("png");
        try {
            return write(writer, toBufferedImage(img), null);
        } finally {
            writer.dispose();
        }
    }

    /**
     * An 8-bit palette PNG whose pixel values are the class indices of {@code mask} and whose palette
     * is {@code palette}: viewers show colours, and PIL's {@code np.array(Image.open(...))} (mode "P")
     * or {@link #decodeMask} give back the indices.
     *
     * @param mask {@code width * height} class indices, row-major, each below {@code palette.size()}
     * @throws IllegalArgumentException if the sizes disagree or an index has no palette entry
     */
    public static byte[] maskPng(byte[] mask, int width, int height, ClassPalette palette) {
        checkMask(mask, width, height, palette);
        IndexColorModel cm = new IndexColorModel(8, palette.size(), palette.reds(), palette.greens(), palette.blues());
        BufferedImage bi = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, cm);
        byte[] data = ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
        System.arraycopy(mask, 0, data, 0, mask.length);
        ImageWriter writer = writer("png");
        try {
            return write(writer, bi, null);
        } finally {
            writer.dispose();
        }
    }

    /**
     * Reads back the class indices of an 8-bit palette or gray PNG made by {@link #maskPng}, with the
     * same safety checks as {@link ImageDecoder}.
     *
     * @return {@code width * height} indices, row-major; the size is in the PNG header
     * @throws ImageDecodeException if the PNG is refused or is not an 8-bit single-channel image
     */
    public static byte[] decodeMask(byte[] png, DecodeLimits limits) throws ImageDecodeException {
        return MaskReader.read(png, limits);
    }

    /**
     * {@code img} with every pixel of class {@code c > 0} blended towards {@code palette}'s colour of
     * {@code c}: {@code out = round((1 - alpha) * pixel + alpha * colour)}; class 0 (background) is left
     * as is. The mask may be smaller than the image (a patch grid, say): it is scaled up by nearest
     * neighbour, mask cell {@code (x * maskWidth / width, y * maskHeight / height)} for pixel {@code (x, y)}.
     *
     * @param alpha 0..1, the weight of the class colour
     * @return the blended image (a new array)
     * @throws IllegalArgumentException for a bad alpha, mask size or class index
     */
    public static DecodedImage overlay(
            DecodedImage img, byte[] mask, int maskWidth, int maskHeight, ClassPalette palette, double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("overlay.alpha must be in [0, 1], got " + alpha);
        }
        checkMask(mask, maskWidth, maskHeight, palette);
        int w = img.width();
        int h = img.height();
        byte[] src = img.rgb();
        byte[] out = src.clone();
        int a = (int) Math.round(alpha * 256);
        int[] mx = new int[w];
        for (int x = 0; x < w; x++) {
            mx[x] = (int) ((long) x * maskWidth / w);
        }
        for (int y = 0; y < h; y++) {
            int row = (int) ((long) y * maskHeight / h) * maskWidth;
            for (int x = 0; x < w; x++) {
                int cls = mask[row + mx[x]] & 0xFF;
                if (cls == 0) {
                    continue;
                }
                int p = (y * w + x) * 3;
                for (int c = 0; c < 3; c++) {
                    int v = src[p + c] & 0xFF;
                    out[p + c] = (byte) ((v * (256 - a) + palette.channel(cls, c) * a + 128) >> 8);
                }
            }
        }
        return new DecodedImage(w, h, out);
    }

    /** {@link #overlay} written as an RGB PNG. */
    public static byte[] overlayPng(
            DecodedImage img, byte[] mask, int maskWidth, int maskHeight, ClassPalette palette, double alpha) {
        return png(overlay(img, mask, maskWidth, maskHeight, palette, alpha));
    }

    private static void checkMask(byte[] mask, int width, int height, ClassPalette palette) {
        if (palette == null) {
            throw new IllegalArgumentException("palette must not be null");
        }
        if (mask == null || width < 1 || height < 1 || mask.length != (long) width * height) {
            throw new IllegalArgumentException("mask of " + (mask == null ? "null" : mask.length + " bytes")
                    + " does not match " + width + "x" + height);
        }
        for (int i = 0; i < mask.length; i++) {
            int cls = mask[i] & 0xFF;
            if (cls >= palette.size()) {
                throw new IllegalArgumentException("mask class " + cls + " at index " + i + " has no colour in a "
                        + palette.size() + "-class palette");
            }
        }
    }

    static BufferedImage toBufferedImage(DecodedImage img) {
        BufferedImage bi = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
        byte[] src = img.rgb();
        for (int i = 0; i < src.length; i += 3) {
            dst[i] = src[i + 2];
            dst[i + 1] = src[i + 1];
            dst[i + 2] = src[i];
        }
        return bi;
    }

    private static ImageWriter writer(String format) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
        if (!writers.hasNext()) {
            throw new IllegalStateException("this JDK has no ImageIO writer for " + format);
        }
        return writers.next();
    }

    private static byte[] write(ImageWriter writer, BufferedImage bi, ImageWriteParam param) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(bi, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("ImageIO failed to encode into memory", e);
        }
        return bytes.toByteArray();
    }
}
