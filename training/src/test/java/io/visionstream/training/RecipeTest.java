package io.visionstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.training.recipe.MixupCutmix;
import org.junit.jupiter.api.Test;

class RecipeTest {

    @Test
    void noneMixesNothing() {
        assertThat(Recipe.NONE.mixing()).isFalse();
    }

    @Test
    void anyOfMixupCutmixOrMinMaxTurnsMixingOn() {
        assertThat(new Recipe(0, 0.8, 0, 1, 0.5, null, null, 0, 0, false).mixing())
                .isTrue();
        assertThat(new Recipe(0, 0, 1.0, 1, 0.5, null, null, 0, 0, false).mixing())
                .isTrue();
        Recipe minMax = new Recipe(0, 0, 0, 1, 0.5, new MixupCutmix.MinMax(0.2, 0.8), null, 0, 0, false);
        assertThat(minMax.mixing()).isTrue();
        // timm forces CutMix alpha 1 with min/max
        assertThat(minMax.mixer(4).cutmixAlpha()).isEqualTo(1.0);
    }

    @Test
    void theMixerCarriesTheOptionsAndTheSmoothing() {
        MixupCutmix m = new Recipe(0.1, 0.8, 1.0, 0.7, 0.3, null, null, 0, 0, false).mixer(6);
        assertThat(m).isEqualTo(new MixupCutmix(0.8, 1.0, null, 0.7, 0.3, true, 0.1, 6));
    }

    @Test
    void eachBadValueIsRefusedByItsFlag() {
        assertThatThrownBy(() -> new Recipe(1.0, 0, 0, 1, 0.5, null, null, 0, 0, false))
                .hasMessage("--label-smoothing must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new Recipe(0, -1, 0, 1, 0.5, null, null, 0, 0, false))
                .hasMessage("--mixup must be >= 0, got -1.0");
        assertThatThrownBy(() -> new Recipe(0, 0, -1, 1, 0.5, null, null, 0, 0, false))
                .hasMessage("--cutmix must be >= 0, got -1.0");
        assertThatThrownBy(() -> new Recipe(0, 0, 0, 1.5, 0.5, null, null, 0, 0, false))
                .hasMessage("--mixup-prob must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> new Recipe(0, 0, 0, 1, -0.1, null, null, 0, 0, false))
                .hasMessage("--mixup-switch-prob must be in [0, 1], got -0.1");
        assertThatThrownBy(() -> new Recipe(0, 0, 0, 1, 0.5, null, null, 1.0, 0, false))
                .hasMessage("--drop-path must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new Recipe(0, 0, 0, 1, 0.5, null, null, 0, 1.0, false))
                .hasMessage("--ema must be in [0, 1), 0 for off, got 1.0");
        assertThatThrownBy(() -> new Recipe(0, 0, 0, 1, 0.5, null, null, 0, 0, true))
                .hasMessage("--ema-warmup needs --ema");
        assertThatThrownBy(() -> new Recipe(0, 0, 0, 1, 0.5, null, "m9-bogus3", 0, 0, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("m9-bogus3");
    }
}
