package io.visionstream.training.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CameraSequenceTest {

    /** Intersection over union of the foreground (same non-zero class) of two masks. */
    private static double foregroundIou(byte[] a, byte[] b) {
        int inter = 0;
        int union = 0;
        for (int i = 0; i < a.length; i++) {
            boolean fa = a[i] != 0;
            boolean fb = b[i] != 0;
            if (fa || fb) {
                union++;
            }
            if (fa && fb && a[i] == b[i]) {
                inter++;
            }
        }
        return union == 0 ? 1.0 : (double) inter / union;
    }

    @Test
    void sameSeedGivesTheSameFrames() {
        CameraSequence a = new CameraSequence(11, 96, 64);
        CameraSequence b = new CameraSequence(11, 96, 64);
        for (int f = 0; f < 10; f++) {
            Scene fa = a.next();
            Scene fb = b.next();
            assertThat(fa.rgb()).as("frame %d", f).isEqualTo(fb.rgb());
            assertThat(fa.mask()).as("frame %d", f).isEqualTo(fb.mask());
        }
    }

    @Test
    void differentSeedsGiveDifferentCameras() {
        assertThat(new CameraSequence(11, 96, 64).next().rgb())
                .isNotEqualTo(new CameraSequence(12, 96, 64).next().rgb());
    }

    @Test
    void consecutiveMasksOverlapHeavily() {
        CameraSequence cam = new CameraSequence(3, 128, 96);
        Scene previous = cam.next();
        for (int f = 1; f < 100; f++) {
            Scene current = cam.next();
            assertThat(foregroundIou(previous.mask(), current.mask()))
                    .as("frames %d-%d", f - 1, f)
                    .isGreaterThan(0.7);
            previous = current;
        }
    }

    @Test
    void shapesMoveOverTime() {
        CameraSequence cam = new CameraSequence(3, 128, 96);
        byte[] first = cam.next().mask();
        for (int f = 1; f < 60; f++) {
            cam.next();
        }
        assertThat(foregroundIou(first, cam.next().mask())).isLessThan(0.7);
    }

    @Test
    void backgroundStaysPutWhereNoShapeIs() {
        CameraSequence cam = new CameraSequence(5, new SceneConfig(96, 64, 5, 1, 3, 0));
        Scene a = cam.next();
        for (int f = 0; f < 20; f++) {
            cam.next();
        }
        Scene b = cam.next();
        int compared = 0;
        for (int i = 0; i < a.mask().length; i++) {
            if (a.mask()[i] == 0 && b.mask()[i] == 0) {
                compared++;
                assertThat(a.rgb()[3 * i]).isEqualTo(b.rgb()[3 * i]);
                assertThat(a.rgb()[3 * i + 2]).isEqualTo(b.rgb()[3 * i + 2]);
            }
        }
        assertThat(compared).isGreaterThan(96 * 64 / 3);
    }

    @Test
    void framesKeepLabelAndMaskConsistentAndShapesInside() {
        CameraSequence cam = new CameraSequence(8, 80, 120);
        for (int f = 0; f < 50; f++) {
            Scene s = cam.next();
            assertThat(s.width()).isEqualTo(80);
            assertThat(s.height()).isEqualTo(120);
            assertThat(s.label()).isBetween(1, 5);
            int max = 0;
            for (int c = 1; c <= 5; c++) {
                max = Math.max(max, s.classPixels(c));
            }
            assertThat(s.classPixels(s.label())).isEqualTo(max);
        }
        assertThat(cam.frameIndex()).isEqualTo(50);
    }

    @Test
    void shotsAreComposedLikeScenesWithOneMainShapeThatClearlyDecidesTheLabel() {
        int clear = 0;
        int shots = 200;
        for (int seed = 0; seed < shots; seed++) {
            Scene frame = new CameraSequence(seed, SceneConfig.defaults(64, 64)).next();
            int label = frame.label();
            int runnerUp = 0;
            for (int c = 1; c <= 5; c++) {
                if (c != label) {
                    runnerUp = Math.max(runnerUp, frame.classPixels(c));
                }
            }
            if (frame.classPixels(label) >= 1.5 * runnerUp) {
                clear++;
            }
        }
        // As in SyntheticScenes: the main shape's radius (22..36%) dwarfs the distractors' (9..16%).
        assertThat(clear)
                .as("shots whose label has 1.5x the pixels of any other class")
                .isGreaterThan(shots * 85 / 100);
    }
}
