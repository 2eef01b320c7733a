package io.visionstream.app.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.inference.image.ClassPalette;
import io.visionstream.inference.image.DecodedImage;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class OverlayRendererTest {

    private final OverlayRenderer renderer = OverlayRenderer.standard();

    /** An 8x8 frame of grey 100 whose mask is class 1 in its left half and background in its right. */
    private static final DecodedImage FRAME = ViewRecords.grey();

    private static byte[] leftHalfCircle() {
        byte[] mask = new byte[64];
        for (int y = 0; y < 8; y++) {
            Arrays.fill(mask, y * 8, y * 8 + 4, (byte) 1);
        }
        return mask;
    }

    private static int[] rgb(DecodedImage img, int x, int y) {
        return new int[] {img.sample(x, y, 0), img.sample(x, y, 1), img.sample(x, y, 2)};
    }

    @Test
    void smallFramesAreScaledUpByAWholeFactorUntilTheShorterSideReaches256() {
        assertThat(renderer.scaleFor(64, 64)).isEqualTo(4);
        assertThat(renderer.scaleFor(64, 48)).isEqualTo(6);
        assertThat(renderer.scaleFor(300, 200)).isEqualTo(2);
        assertThat(renderer.scaleFor(256, 256)).isEqualTo(1);
        assertThat(renderer.scaleFor(1920, 1080)).isEqualTo(1);
    }

    @Test
    void upscalingNeverMakesTheLongerSideExceedTheLimit() {
        assertThat(renderer.scaleFor(4, 1000)).isEqualTo(4);
        assertThat(renderer.scaleFor(1, 5000)).isEqualTo(1);
    }

    @Test
    void maskPixelsAreBlendedHalfWayTowardsTheirClassColourAndBackgroundIsLeftAlone() {
        DecodedImage out = renderer.render(FRAME, leftHalfCircle(), 8, 8, null);

        assertThat(out.width()).isEqualTo(256);
        assertThat(out.height()).isEqualTo(256);
        // VOC colour of class 1 is (128, 0, 0): (100 + 128) / 2 = 114, (100 + 0) / 2 = 50.
        assertThat(rgb(out, 0, 0)).containsExactly(114, 50, 50);
        assertThat(rgb(out, 127, 255)).containsExactly(114, 50, 50);
        assertThat(rgb(out, 128, 0)).containsExactly(100, 100, 100);
        assertThat(rgb(out, 255, 255)).containsExactly(100, 100, 100);
    }

    @Test
    void eachFramePixelBecomesASquareBlockOfTheScale() {
        byte[] rgb = new byte[2 * 2 * 3];
        rgb[0] = (byte) 255; // (0, 0) red; the rest black
        DecodedImage out = renderer.render(new DecodedImage(2, 2, rgb), null, 0, 0, null);

        assertThat(out.width()).isEqualTo(256);
        assertThat(rgb(out, 127, 127)).containsExactly(255, 0, 0);
        assertThat(rgb(out, 128, 127)).containsExactly(0, 0, 0);
        assertThat(rgb(out, 127, 128)).containsExactly(0, 0, 0);
    }

    @Test
    void aMaskSmallerThanTheFrameIsStretchedOverIt() {
        DecodedImage out = renderer.render(FRAME, new byte[] {1, 0}, 2, 1, null);

        assertThat(rgb(out, 127, 200)).containsExactly(114, 50, 50);
        assertThat(rgb(out, 128, 200)).containsExactly(100, 100, 100);
    }

    @Test
    void theCaptionDarkensAStripAcrossTheTopAndWritesLightTextOnItOnly() {
        DecodedImage plain = renderer.render(FRAME, null, 0, 0, null);
        DecodedImage captioned = renderer.render(FRAME, null, 0, 0, OverlayRenderer.caption("circle", 0.875));

        // Font size 256 / 14 = 18 px, strip 27 px: 60 % black over grey 100 leaves 40.
        assertThat(rgb(captioned, 255, 0)).containsExactly(40, 40, 40);
        int light = 0;
        for (int y = 0; y < 27; y++) {
            for (int x = 0; x < 256; x++) {
                if (captioned.sample(x, y, 0) > 200) {
                    light++;
                }
            }
        }
        assertThat(light).as("text pixels in the strip").isGreaterThan(50);
        for (int y = 27; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                assertThat(captioned.sample(x, y, 0)).isEqualTo(plain.sample(x, y, 0));
            }
        }
    }

    @Test
    void theCaptionIsTheLabelAndTheScoreWithTwoDecimals() {
        assertThat(OverlayRenderer.caption("circle", 0.875)).isEqualTo("circle 0.88");
    }

    @Test
    void pngIsTheRenderingLosslessly() throws Exception {
        byte[] png = renderer.png(FRAME, leftHalfCircle(), 8, 8, "circle 0.88");

        var image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isEqualTo(256);
        assertThat(image.getRGB(10, 200) & 0xFFFFFF).isEqualTo((114 << 16) | (50 << 8) | 50);
    }

    @Test
    void aMaskWhoseSizeDisagreesWithItsLengthIsRefused() {
        assertThatThrownBy(() -> renderer.render(FRAME, new byte[3], 2, 2, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mask of 3 bytes does not match 2x2");
    }

    @Test
    void anAlphaOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> new OverlayRenderer(ClassPalette.voc(4), 1.5, 256))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("overlay alpha must be in [0, 1], got 1.5");
    }
}
