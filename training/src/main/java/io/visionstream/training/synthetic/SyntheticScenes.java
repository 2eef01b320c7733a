package io.visionstream.training.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The synthetic-scenes dataset: scene {@code i} of seed {@code s} is a textured background with one
 * main shape (class drawn uniformly from 1..K, radius 22..36% of the shorter side, fully inside the
 * frame) and a few smaller distractor shapes of any class (radius 9..16%), drawn in random order so
 * they may occlude one another, then per-pixel noise. The label is the class with the most mask
 * pixels (see {@link Scene#label()}); with the size gap between the main shape and the distractors it
 * is nearly always the main shape's class, so labels are close to uniform over the K classes and
 * learnable from shape alone (colours are drawn independently of class).
 *
 * <p>Deterministic: the same (seed, index) always gives the same bytes, on any thread, in any order.
 * Thread-safe: instances are immutable.
 */
public final class SyntheticScenes {

    private final SceneConfig config;
    private final long seed;

    /** The dataset of {@code config} and {@code seed}. */
    public SyntheticScenes(SceneConfig config, long seed) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
        this.seed = seed;
    }

    public SceneConfig config() {
        return config;
    }

    /** Class names by mask value: "background" then the first K shape names. */
    public List<String> classNames() {
        return classNames(config.numClasses());
    }

    /** Class names for K classes: index 0 "background", then {@link ShapeClass#label()} of the first K. */
    public static List<String> classNames(int numClasses) {
        if (numClasses < 1 || numClasses > ShapeClass.values().length) {
            throw new IllegalArgumentException(
                    "synthetic.num-classes must be in 1.." + ShapeClass.values().length + ", got " + numClasses);
        }
        List<String> names = new ArrayList<>();
        names.add("background");
        for (int i = 0; i < numClasses; i++) {
            names.add(ShapeClass.values()[i].label());
        }
        return List.copyOf(names);
    }

    /** Renders scene {@code index} (any long, negative included). */
    public Scene scene(long index) {
        int w = config.width();
        int h = config.height();
        SplittableRandom rnd = new SplittableRandom(Raster.mix(seed, index));
        byte[] rgb = new byte[w * h * 3];
        byte[] mask = new byte[w * h];
        Raster.background(rnd, w, h, rgb);
        int k = config.numClasses();
        double side = Math.min(w, h);
        int distractors = rnd.nextInt(config.minDistractors(), config.maxDistractors() + 1);
        int mainAt = rnd.nextInt(distractors + 1);
        for (int i = 0; i <= distractors; i++) {
            boolean main = i == mainAt;
            ShapeClass cls = ShapeClass.values()[rnd.nextInt(k)];
            double r = side * (main ? 0.22 + 0.14 * rnd.nextDouble() : 0.09 + 0.07 * rnd.nextDouble());
            // The main shape stays inside the frame; distractors may be cut by the border.
            double margin = main ? r : r * 0.3;
            double cx = margin + rnd.nextDouble() * Math.max(0, w - 2 * margin);
            double cy = margin + rnd.nextDouble() * Math.max(0, h - 2 * margin);
            double angle = rnd.nextDouble() * 2 * Math.PI;
            int colour = Raster.shapeColour(rnd, rgb, w, h, cx, cy);
            Raster.draw(new Raster.Shape(cls, cx, cy, r, angle, colour), w, h, rgb, mask);
        }
        Raster.noise(rnd, rgb, config.noiseAmplitude());
        return new Scene(w, h, rgb, mask, k);
    }
}
