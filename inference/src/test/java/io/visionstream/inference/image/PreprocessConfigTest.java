package io.visionstream.inference.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PreprocessConfigTest {

    private static final double[] MEAN = {0.485, 0.456, 0.406};
    private static final double[] STD = {0.229, 0.224, 0.225};

    @Test
    void fromTimmReadsInputSizeAsChannelsHeightWidth() {
        PreprocessConfig c = PreprocessConfig.fromTimm(new int[] {3, 224, 160}, MEAN, STD, 0.9, "bicubic");
        assertThat(c.height()).isEqualTo(224);
        assertThat(c.width()).isEqualTo(160);
        assertThat(c.interpolation()).isEqualTo(Interpolation.BICUBIC);
        assertThat(c.floatsPerImage()).isEqualTo(3 * 224 * 160);
    }

    @Test
    void missingCropPctDefaultsToTimmsDefault() {
        PreprocessConfig c = PreprocessConfig.fromTimm(new int[] {3, 224, 224}, MEAN, STD, null, "bilinear", null);
        assertThat(c.cropPct()).isEqualTo(0.875);
    }

    @Test
    void cropModesOtherThanCenterAreKeptButThePreprocessorRefusesThem() {
        PreprocessConfig squash =
                PreprocessConfig.fromTimm(new int[] {3, 224, 224}, MEAN, STD, 1.0, "bicubic", "squash");
        assertThat(squash.cropMode()).isEqualTo(PreprocessConfig.CropMode.SQUASH);
        assertThatThrownBy(() -> new Preprocessor(squash))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pretrained_cfg.crop_mode 'squash' is not supported, only 'center'");
    }

    @Test
    void anUnknownCropModeIsRefusedWhenRead() {
        assertThatThrownBy(
                        () -> PreprocessConfig.fromTimm(new int[] {3, 224, 224}, MEAN, STD, 1.0, "bicubic", "stretch"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pretrained_cfg.crop_mode 'stretch' is not one of center, squash, border");
    }

    @Test
    void unknownInterpolationIsRejectedNamingTheValue() {
        assertThatThrownBy(() -> PreprocessConfig.fromTimm(new int[] {3, 224, 224}, MEAN, STD, 0.9, "lanczos"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("interpolation must be one of bicubic, bilinear, nearest, got 'lanczos'");
    }

    @Test
    void inputSizeMustHaveThreeChannels() {
        assertThatThrownBy(() -> PreprocessConfig.fromTimm(new int[] {1, 224, 224}, MEAN, STD, 0.9, "bicubic"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pretrained_cfg.input_size must be [3, H, W], got [1, 224, 224]");
    }

    @Test
    void nonPositiveCropPctIsRejected() {
        assertThatThrownBy(() -> new PreprocessConfig(224, 224, 0, Interpolation.BILINEAR, MEAN, STD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("preprocess.crop-pct must be in (0, 4], got 0.0");
    }

    @Test
    void zeroStdIsRejected() {
        assertThatThrownBy(
                        () -> new PreprocessConfig(224, 224, 0.9, Interpolation.BILINEAR, MEAN, new double[] {1, 0, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("preprocess.std values must be finite and positive, got [1.0, 0.0, 1.0]");
    }

    @Test
    void meanNeedsThreeValues() {
        assertThatThrownBy(() -> new PreprocessConfig(224, 224, 0.9, Interpolation.BILINEAR, new double[] {0.5}, STD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("preprocess.mean must have 3 values (R, G, B), got [0.5]");
    }

    @Test
    void meanIsCopiedIn() {
        double[] mean = MEAN.clone();
        PreprocessConfig c = new PreprocessConfig(224, 224, 0.9, Interpolation.BILINEAR, mean, STD);
        mean[0] = 99;
        assertThat(c.mean()[0]).isEqualTo(0.485);
    }

    @Test
    void resizeFollowsTorchvisionShortSideRule() {
        // floor(224 / 0.9) = 248; 640x480 -> short side 248, long int(248 * 640 / 480) = 330.
        Preprocessor p = new Preprocessor(new PreprocessConfig(224, 224, 0.9, Interpolation.BICUBIC, MEAN, STD));
        assertThat(p.resizedSize(640, 480)).containsExactly(330, 248);
        assertThat(p.resizedSize(480, 640)).containsExactly(248, 330);
    }

    @Test
    void preprocessRejectsADestinationTooSmall() {
        Preprocessor p = new Preprocessor(new PreprocessConfig(8, 8, 1.0, Interpolation.BICUBIC, MEAN, STD));
        DecodedImage img = new DecodedImage(8, 8, new byte[8 * 8 * 3]);
        assertThatThrownBy(() -> p.preprocess(img, new float[3 * 64 + 10], 11))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("destination of 202 floats cannot hold 192 at offset 11");
    }
}
