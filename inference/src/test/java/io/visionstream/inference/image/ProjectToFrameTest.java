package io.visionstream.inference.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Mapping a model-resolution map back onto the frame: the inverse of resize + center crop. */
class ProjectToFrameTest {

    private static final double[] HALF = {0.5, 0.5, 0.5};
    private static final byte OUT = (byte) 255;

    private static Preprocessor preprocessor(int size, double cropPct) {
        return new Preprocessor(new PreprocessConfig(size, size, cropPct, Interpolation.BILINEAR, HALF, HALF));
    }

    /** A 4x4 map whose value is its own index. */
    private static byte[] indexMap() {
        byte[] map = new byte[16];
        for (int i = 0; i < 16; i++) {
            map[i] = (byte) i;
        }
        return map;
    }

    @Test
    void aFrameOfTheInputSizeWithoutCropGetsTheMapUnchanged() {
        assertThat(preprocessor(4, 1.0).projectToFrame(indexMap(), 4, 4, OUT)).isEqualTo(indexMap());
    }

    @Test
    void aFrameTwiceTheSizeGetsEachMapPixelAsATwoByTwoBlock() {
        byte[] frame = preprocessor(4, 1.0).projectToFrame(indexMap(), 8, 8, OUT);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                assertThat(frame[y * 8 + x]).as("(%d,%d)", x, y).isEqualTo((byte) ((y / 2) * 4 + x / 2));
            }
        }
    }

    @Test
    void whatTheCenterCropCutAwayIsMarkedOutside() {
        // crop_pct 0.5: the 8x8 frame is resized to 8x8 and the middle 4x4 is what the model saw.
        byte[] frame = preprocessor(4, 0.5).projectToFrame(indexMap(), 8, 8, OUT);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                boolean seen = x >= 2 && x < 6 && y >= 2 && y < 6;
                byte expected = seen ? (byte) ((y - 2) * 4 + (x - 2)) : OUT;
                assertThat(frame[y * 8 + x]).as("(%d,%d)", x, y).isEqualTo(expected);
            }
        }
    }

    @Test
    void aWideFrameLosesItsSidesToTheCrop() {
        // 16x8 frame, input 4x4, no crop_pct margin: the shorter side (8) becomes 4, the width 8, and the
        // middle 4 columns of that (frame columns 4..11) are kept.
        byte[] frame = preprocessor(4, 1.0).projectToFrame(indexMap(), 16, 8, OUT);
        assertThat(frame[0]).isEqualTo(OUT);
        assertThat(frame[3]).isEqualTo(OUT);
        assertThat(frame[4]).isEqualTo((byte) 0);
        assertThat(frame[11]).isEqualTo((byte) 3);
        assertThat(frame[12]).isEqualTo(OUT);
        assertThat(frame[7 * 16 + 11]).isEqualTo((byte) 15);
    }

    @Test
    void aMapOfTheWrongSizeIsRefused() {
        assertThatThrownBy(() -> preprocessor(4, 1.0).projectToFrame(new byte[15], 4, 4, OUT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("map must hold 4x4 = 16 values, got 15");
    }
}
