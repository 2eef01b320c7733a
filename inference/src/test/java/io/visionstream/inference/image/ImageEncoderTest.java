package io.visionstream.inference.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImageEncoderTest {

    private final ImageDecoder decoder = new ImageDecoder(DecodeLimits.defaults());

    private static DecodedImage smooth(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = (y * w + x) * 3;
                rgb[p] = (byte) (x * 255 / (w - 1));
                rgb[p + 1] = (byte) (y * 255 / (h - 1));
                rgb[p + 2] = (byte) 128;
            }
        }
        return new DecodedImage(w, h, rgb);
    }

    private static byte[] randomMask(int n, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] mask = new byte[n];
        for (int i = 0; i < n; i++) {
            mask[i] = (byte) r.nextInt(classes);
        }
        return mask;
    }

    @Test
    void maskPngRoundTripsExactly() throws ImageDecodeException {
        byte[] mask = randomMask(37 * 23, 6, 1);
        byte[] png = ImageEncoder.maskPng(mask, 37, 23, ClassPalette.voc(6));
        assertThat(png[25]).as("IHDR colour type: palette").isEqualTo((byte) 3);
        assertThat(ImageEncoder.decodeMask(png, DecodeLimits.defaults())).isEqualTo(mask);
    }

    @Test
    void maskPngShowsThePaletteColourOfEachClass() throws ImageDecodeException {
        byte[] mask = randomMask(20 * 10, 4, 2);
        ClassPalette palette = ClassPalette.voc(4);
        DecodedImage shown = decoder.decode(ImageEncoder.maskPng(mask, 20, 10, palette));
        for (int i = 0; i < mask.length; i++) {
            assertThat(shown.sample(i % 20, i / 20, 0)).isEqualTo(palette.channel(mask[i], 0));
            assertThat(shown.sample(i % 20, i / 20, 1)).isEqualTo(palette.channel(mask[i], 1));
        }
    }

    @Test
    void maskClassWithoutPaletteColourIsRejected() {
        byte[] mask = {0, 1, 2, 7};
        assertThatThrownBy(() -> ImageEncoder.maskPng(mask, 2, 2, ClassPalette.voc(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mask class 7 at index 3 has no colour in a 3-class palette");
    }

    @Test
    void vocPaletteMatchesThePascalVocColourMap() {
        // Values from the PASCAL VOC 2012 devkit colour map.
        ClassPalette voc = ClassPalette.voc(21);
        assertThat(voc.colour(0)).isEqualTo(0x000000);
        assertThat(voc.colour(1)).isEqualTo(0x800000);
        assertThat(voc.colour(2)).isEqualTo(0x008000);
        assertThat(voc.colour(3)).isEqualTo(0x808000);
        assertThat(voc.colour(15)).isEqualTo(0xC08080);
        assertThat(voc.colour(20)).isEqualTo(0x004080);
    }

    @Test
    void jpegDecodesBackCloseToTheOriginal() throws ImageDecodeException {
        DecodedImage img = smooth(64, 48);
        byte[] jpeg = ImageEncoder.jpeg(img, 95);
        DecodedImage back = decoder.decode(jpeg, FrameFormat.JPEG, 64, 48);
        long sum = 0;
        for (int i = 0; i < img.rgb().length; i++) {
            sum += Math.abs((img.rgb()[i] & 0xFF) - (back.rgb()[i] & 0xFF));
        }
        assertThat((double) sum / img.rgb().length).isLessThan(2.0);
    }

    @Test
    void lowerJpegQualityGivesFewerBytes() {
        DecodedImage img = smooth(64, 48);
        assertThat(ImageEncoder.jpeg(img, 30).length).isLessThan(ImageEncoder.jpeg(img, 95).length);
    }

    @Test
    void jpegQualityOutOfRangeIsRejected() {
        assertThatThrownBy(() -> ImageEncoder.jpeg(smooth(4, 4), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jpeg.quality must be in 1..100, got 0");
    }

    @Test
    void overlayBlendsClassPixelsAndLeavesBackgroundAlone() {
        DecodedImage img = new DecodedImage(2, 1, new byte[] {100, 50, (byte) 200, 100, 50, (byte) 200});
        byte[] mask = {0, 1};
        DecodedImage out = ImageEncoder.overlay(img, mask, 2, 1, ClassPalette.of(0x000000, 0x800000), 0.5);
        assertThat(out.rgb()).containsExactly(100, 50, (byte) 200, 114, 25, 100);
    }

    @Test
    void overlayScalesASmallMaskUpByNearestNeighbour() {
        DecodedImage img = new DecodedImage(4, 4, new byte[4 * 4 * 3]);
        byte[] mask = {0, 1, 1, 0}; // 2x2: top-right and bottom-left cells are class 1
        DecodedImage out = ImageEncoder.overlay(img, mask, 2, 2, ClassPalette.of(0, 0xFFFFFF), 1.0);
        assertThat(out.sample(0, 0, 0)).isZero();
        assertThat(out.sample(3, 1, 0)).isEqualTo(255);
        assertThat(out.sample(1, 3, 0)).isEqualTo(255);
        assertThat(out.sample(3, 3, 0)).isZero();
    }

    @Test
    void overlayPngIsAViewableRgbPng() throws ImageDecodeException {
        DecodedImage img = smooth(16, 8);
        byte[] mask = randomMask(16 * 8, 3, 5);
        ClassPalette palette = ClassPalette.voc(3);
        byte[] png = ImageEncoder.overlayPng(img, mask, 16, 8, palette, 0.4);
        assertThat(decoder.decode(png).rgb())
                .isEqualTo(ImageEncoder.overlay(img, mask, 16, 8, palette, 0.4).rgb());
    }
}
