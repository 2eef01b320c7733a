package io.visionstream.training.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Geometry of the shapes, checked against areas computed by hand from their definitions. */
class ShapeClassTest {

    /** Area inside the shape, in units of the outer radius squared, by a 1000x1000 grid over [-1, 1]^2. */
    private static double area(ShapeClass s) {
        int n = 1000;
        int inside = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (s.contains(-1 + (i + 0.5) * 2.0 / n, -1 + (j + 0.5) * 2.0 / n)) {
                    inside++;
                }
            }
        }
        return 4.0 * inside / ((double) n * n);
    }

    @Test
    void circleAreaIsPi() {
        assertThat(area(ShapeClass.CIRCLE)).isCloseTo(Math.PI, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void triangleIsEquilateralWithCircumradiusOne() {
        // side sqrt(3), area 3 * sqrt(3) / 4
        assertThat(area(ShapeClass.TRIANGLE))
                .isCloseTo(3 * Math.sqrt(3) / 4, org.assertj.core.data.Offset.offset(0.01));
        assertThat(ShapeClass.TRIANGLE.contains(0, -0.99)).as("apex points up").isTrue();
        assertThat(ShapeClass.TRIANGLE.contains(0, 0.6)).isFalse();
    }

    @Test
    void starHasFiveSpikesOfOuterRadiusOne() {
        // Area of a 5-point star polygon with outer radius 1, inner radius r: 5 * r * sin(36 degrees).
        double expected = 5 * 0.45 * Math.sin(Math.PI / 5);
        assertThat(area(ShapeClass.STAR)).isCloseTo(expected, org.assertj.core.data.Offset.offset(0.01));
        assertThat(ShapeClass.STAR.contains(0, -0.97))
                .as("tip of the upper spike")
                .isTrue();
        assertThat(ShapeClass.STAR.contains(0, 0.6))
                .as("notch between the two lower spikes")
                .isFalse();
    }

    @Test
    void ringHasAHole() {
        assertThat(ShapeClass.RING.contains(0, 0)).isFalse();
        assertThat(area(ShapeClass.RING))
                .isCloseTo(Math.PI * (1 - 0.55 * 0.55), org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void crossArmsMeetInTheMiddle() {
        // two 0.6 x 1.9 bars overlapping in a 0.6 x 0.6 square
        assertThat(area(ShapeClass.CROSS)).isCloseTo(2 * 0.6 * 1.9 - 0.36, org.assertj.core.data.Offset.offset(0.01));
        assertThat(ShapeClass.CROSS.contains(0.5, 0.5)).isFalse();
    }
}
