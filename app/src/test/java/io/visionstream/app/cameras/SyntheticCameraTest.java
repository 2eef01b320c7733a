package io.visionstream.app.cameras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.training.synthetic.SceneConfig;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticCameraTest {

    private static final SceneConfig SCENES = SceneConfig.defaults(64, 48);

    @Test
    void framesAreNumberedInOrderAndCarryTheTruthOfTheSceneTheyShow() throws Exception {
        SyntheticCamera camera = new SyntheticCamera("cam-7", 3, SCENES, 90, 20);
        for (long i = 0; i < 30; i++) {
            SyntheticCamera.Shot shot = camera.next(1_000 + i);
            assertThat(shot.frame().getSequence()).isEqualTo(i);
            assertThat(shot.frame().getSourceId()).isEqualTo("cam-7");
            var metadata = shot.frame().getMetadata();
            assertThat(metadata.get(SyntheticCamera.TRUTH_LABEL))
                    .isEqualTo(String.valueOf(shot.scene().label()));
            byte[] mask = ImageEncoder.decodeMask(
                    Base64.getDecoder().decode(metadata.get(SyntheticCamera.TRUTH_MASK)), DecodeLimits.defaults());
            assertThat(mask).isEqualTo(shot.scene().mask());
        }
    }

    @Test
    void cutsToNewShotsSoOneCameraShowsManyClassesOverTime() {
        SyntheticCamera camera = new SyntheticCamera("cam-0", 42, SCENES, 90, 20);
        Set<Integer> labels = new HashSet<>();
        for (int i = 0; i < 400; i++) {
            labels.add(camera.next(i).scene().label());
        }
        assertThat(labels).hasSizeGreaterThanOrEqualTo(4);
    }

    @Test
    void withinAShotTheSceneChangesSmoothlyAndAtACutItChangesWhole() {
        SyntheticCamera camera = new SyntheticCamera("cam-0", 5, SCENES, 90, 10);
        byte[][] masks = new byte[12][];
        for (int i = 0; i < 12; i++) {
            masks[i] = camera.next(i).scene().mask();
        }
        assertThat(agreement(masks[8], masks[9]))
                .as("consecutive frames of one shot")
                .isGreaterThan(0.9);
        assertThat(agreement(masks[9], masks[10])).as("across the cut").isLessThan(agreement(masks[8], masks[9]));
    }

    @Test
    void aShotOfNoFramesIsRefused() {
        assertThatThrownBy(() -> new SyntheticCamera("c", 1, SCENES, 90, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("framesPerShot must be at least 1, got 0");
    }

    private static double agreement(byte[] a, byte[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == b[i] ? 1 : 0;
        }
        return (double) same / a.length;
    }
}
