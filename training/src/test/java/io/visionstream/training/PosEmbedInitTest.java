package io.visionstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PosEmbedInitTest {

    @Test
    void theClsRowIsZeroAndEachPatchEncodesItsRowThenItsColumnAsSinesAndCosines() {
        // dim 8: two frequencies per quarter, 1 and 1 / 10000^(1/2) = 0.01
        float[] table = PosEmbedInit.sincos(1, 2, 3, 8);
        assertThat(table).hasSize((1 + 6) * 8);
        assertThat(Arrays.copyOfRange(table, 0, 8)).containsOnly(0f);
        // patch (0, 0): sines 0, cosines 1
        assertThat(Arrays.copyOfRange(table, 8, 16)).containsExactly(0f, 0f, 1f, 1f, 0f, 0f, 1f, 1f);
        // patch (row 1, col 2) is token 1 + 1 * 3 + 2 = 6
        float[] p = Arrays.copyOfRange(table, 6 * 8, 7 * 8);
        double[] expected = {
            Math.sin(1),
            Math.sin(0.01),
            Math.cos(1),
            Math.cos(0.01),
            Math.sin(2),
            Math.sin(0.02),
            Math.cos(2),
            Math.cos(0.02)
        };
        for (int i = 0; i < 8; i++) {
            assertThat((double) p[i]).as("channel " + i).isCloseTo(expected[i], within(1e-6));
        }
    }

    @Test
    void aWidthNotDivisibleByFourIsRefused() {
        assertThatThrownBy(() -> PosEmbedInit.sincos(1, 2, 2, 6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--pos-embed-init sincos needs --dim divisible by 4, got 6");
    }

    @Test
    void parsesTheOptionAndNamesTheAcceptedValues() {
        assertThat(PosEmbedInit.parse("sincos")).isEqualTo(PosEmbedInit.SINCOS);
        assertThat(PosEmbedInit.parse("normal")).isEqualTo(PosEmbedInit.NORMAL);
        assertThatThrownBy(() -> PosEmbedInit.parse("learned"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--pos-embed-init must be normal or sincos, got 'learned'");
    }
}
