package io.visionstream.app.view;

import io.visionstream.inference.image.ClassPalette;
import io.visionstream.inference.image.DecodedImage;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.PredictionStatus;
import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Locale;

/**
 * Draws a frame the way a person looks at it: the segmentation mask blended in over the frame in the
 * class palette's colours, the whole scaled up by nearest neighbour so that a small model input (64x64)
 * becomes readable, and a caption (the top label and its score) in a dark strip across the top. The one
 * renderer of the live viewer, {@code demo --out} and {@code predict --mask-out}.
 *
 * <p>Immutable and thread-safe. Uses {@code java.awt} off screen only, so it runs headless.
 */
public final class OverlayRenderer {

    /** The shorter side of a rendered picture is at least this many pixels (when the frame is smaller). */
    public static final int MIN_SIDE = 256;

    /** Upscaling never makes the longer side exceed this (a 4x1000 frame stays 4 px tall). */
    static final int MAX_SIDE = 4096;

    /** Weight of the class colour over the frame's pixel. */
    public static final double ALPHA = 0.5;

    private final ClassPalette palette;
    private final double alpha;
    private final int minSide;

    /**
     * @param palette one colour per class index; class 0 (background) is never painted
     * @param alpha 0..1, the weight of the class colour
     * @param minSide the shorter side to upscale small frames to, at least 1
     * @throws IllegalArgumentException for a null palette, an alpha outside [0, 1] or a minSide below 1
     */
    public OverlayRenderer(ClassPalette palette, double alpha, int minSide) {
        if (palette == null) {
            throw new IllegalArgumentException("palette must not be null");
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("overlay alpha must be in [0, 1], got " + alpha);
        }
        if (minSide < 1) {
            throw new IllegalArgumentException("minSide must be at least 1, got " + minSide);
        }
        this.palette = palette;
        this.alpha = alpha;
        this.minSide = minSide;
    }

    /** All 256 VOC colours (so the processor's "unseen" value 255 has one too), alpha 0.5, 256 px. */
    public static OverlayRenderer standard() {
        return new OverlayRenderer(ClassPalette.voc(ClassPalette.MAX_CLASSES), ALPHA, MIN_SIDE);
    }

    /** The palette masks are painted with. */
    public ClassPalette palette() {
        return palette;
    }

    /** The caption for a top class: its label and its score with two decimals, e.g. {@code circle 0.87}. */
    public static String caption(String label, double score) {
        return String.format(Locale.ROOT, "%s %.2f", label, score);
    }

    /**
     * The caption of a picture of {@code prediction}'s frame: its top class and score, or why the model
     * did not run; null for an OK prediction without classes.
     */
    public static String caption(Prediction prediction) {
        if (prediction.getStatus() == PredictionStatus.OK) {
            return prediction.getTopK().isEmpty()
                    ? null
                    : caption(
                            prediction.getTopK().get(0).getLabel(),
                            prediction.getTopK().get(0).getScore());
        }
        return switch (prediction.getStatus()) {
            case SKIPPED_STALE -> "skipped: stale";
            case SKIPPED_OVERLOAD -> "skipped: overload";
            default -> prediction.getStatus().name().toLowerCase(Locale.ROOT);
        };
    }

    /**
     * The whole-number factor a {@code width x height} frame is scaled up by: the smallest that brings the
     * shorter side to at least {@code minSide}, held down so the longer side stays within {@value
     * #MAX_SIDE}; 1 for a frame that is large enough already.
     */
    public int scaleFor(int width, int height) {
        int shorter = Math.min(width, height);
        int longer = Math.max(width, height);
        int wanted = (minSide + shorter - 1) / shorter;
        return Math.max(1, Math.min(wanted, MAX_SIDE / longer));
    }

    /**
     * Renders {@code frame} with its mask and caption.
     *
     * @param mask {@code maskWidth * maskHeight} class indices, row-major, or null for no overlay; a mask
     *     smaller than the frame is stretched over it by nearest neighbour
     * @param caption the text of the top strip, or null for none
     * @return a new image, {@link #scaleFor} times the frame's size
     * @throws IllegalArgumentException if the mask's size disagrees with its length or an index has no
     *     colour in the palette
     */
    public DecodedImage render(DecodedImage frame, byte[] mask, int maskWidth, int maskHeight, String caption) {
        DecodedImage blended =
                mask == null ? frame : ImageEncoder.overlay(frame, mask, maskWidth, maskHeight, palette, alpha);
        int scale = scaleFor(frame.width(), frame.height());
        BufferedImage picture = upscale(blended, scale);
        if (caption != null && !caption.isEmpty()) {
            drawCaption(picture, caption);
        }
        return toRgb(picture);
    }

    /** {@link #render} as a PNG: lossless, for files. */
    public byte[] png(DecodedImage frame, byte[] mask, int maskWidth, int maskHeight, String caption) {
        return ImageEncoder.png(render(frame, mask, maskWidth, maskHeight, caption));
    }

    /** Nearest neighbour: output pixel {@code (x, y)} is input pixel {@code (x / scale, y / scale)}. */
    private static BufferedImage upscale(DecodedImage img, int scale) {
        int w = img.width();
        int h = img.height();
        BufferedImage out = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        byte[] src = img.rgb();
        int outWidth = w * scale;
        for (int y = 0; y < h * scale; y++) {
            int srcRow = (y / scale) * w;
            int dstRow = y * outWidth;
            for (int x = 0; x < outWidth; x++) {
                int s = (srcRow + x / scale) * 3;
                int d = (dstRow + x) * 3;
                // TYPE_3BYTE_BGR stores blue first.
                dst[d] = src[s + 2];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s];
            }
        }
        return out;
    }

    /** A strip of translucent black across the top, the caption in white on it. */
    private static void drawCaption(BufferedImage picture, String caption) {
        int fontSize = Math.max(12, Math.min(40, picture.getHeight() / 14));
        int strip = fontSize + fontSize / 2;
        Graphics2D g = picture.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.6f));
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, picture.getWidth(), Math.min(strip, picture.getHeight()));
            g.setComposite(AlphaComposite.SrcOver);
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, fontSize));
            int baseline =
                    (strip + g.getFontMetrics().getAscent() - g.getFontMetrics().getDescent()) / 2;
            g.drawString(caption, fontSize / 2, baseline);
        } finally {
            g.dispose();
        }
    }

    private static DecodedImage toRgb(BufferedImage bgrImage) {
        byte[] bgr = ((DataBufferByte) bgrImage.getRaster().getDataBuffer()).getData();
        byte[] rgb = new byte[bgr.length];
        for (int i = 0; i < bgr.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 1] = bgr[i + 1];
            rgb[i + 2] = bgr[i];
        }
        return new DecodedImage(bgrImage.getWidth(), bgrImage.getHeight(), rgb);
    }
}
