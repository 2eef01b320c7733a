package io.visionstream.training.synthetic;

import java.util.SplittableRandom;

/**
 * A synthetic camera for the demo: a fixed textured background (chosen by the seed) with 2 to 4 shapes
 * that move at constant velocity, rotate slowly and bounce off the frame edges. Each {@link #next()}
 * frame has its image, mask and label as defined by {@link Scene}. Shapes move at most 2% of the
 * shorter side per frame, so consecutive masks overlap heavily.
 *
 * <p>Deterministic: the same seed and config give the same frames in the same order. Not thread-safe
 * (it carries the shapes' state); use one instance per camera thread.
 */
public final class CameraSequence {

    private final SceneConfig config;
    private final long seed;
    private final byte[] background;
    private final ShapeClass[] classes;
    private final double[] x;
    private final double[] y;
    private final double[] vx;
    private final double[] vy;
    private final double[] radius;
    private final double[] angle;
    private final double[] spin;
    private final int[] colour;
    private long frame;

    /** A camera of {@code width x height} with the default scene settings. */
    public CameraSequence(long seed, int width, int height) {
        this(seed, SceneConfig.defaults(width, height));
    }

    /**
     * A camera using {@code config}'s size, classes, distractor counts and noise. A shot is composed as
     * {@link SyntheticScenes} composes a scene (one main shape, radius 22..36% of the shorter side, and
     * smaller distractors, 9..16%), so a model trained on scenes sees the same task in camera footage;
     * only here the shapes move.
     */
    public CameraSequence(long seed, SceneConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
        this.seed = seed;
        int w = config.width();
        int h = config.height();
        SplittableRandom rnd = new SplittableRandom(Raster.mix(seed, -1));
        background = new byte[w * h * 3];
        Raster.background(rnd, w, h, background);
        int n = 1 + rnd.nextInt(config.minDistractors(), config.maxDistractors() + 1);
        int mainAt = rnd.nextInt(n);
        classes = new ShapeClass[n];
        x = new double[n];
        y = new double[n];
        vx = new double[n];
        vy = new double[n];
        radius = new double[n];
        angle = new double[n];
        spin = new double[n];
        colour = new int[n];
        double side = Math.min(w, h);
        for (int i = 0; i < n; i++) {
            classes[i] = ShapeClass.values()[rnd.nextInt(config.numClasses())];
            radius[i] = side * (i == mainAt ? 0.22 + 0.14 * rnd.nextDouble() : 0.09 + 0.07 * rnd.nextDouble());
            x[i] = radius[i] + rnd.nextDouble() * (w - 2 * radius[i]);
            y[i] = radius[i] + rnd.nextDouble() * (h - 2 * radius[i]);
            double speed = side * (0.005 + 0.015 * rnd.nextDouble());
            double direction = rnd.nextDouble() * 2 * Math.PI;
            vx[i] = speed * Math.cos(direction);
            vy[i] = speed * Math.sin(direction);
            angle[i] = rnd.nextDouble() * 2 * Math.PI;
            spin[i] = (rnd.nextDouble() - 0.5) * 0.1; // radians per frame
            colour[i] = Raster.shapeColour(rnd, background, w, h, x[i], y[i]);
        }
    }

    public SceneConfig config() {
        return config;
    }

    /** Frames produced so far; the next frame's index. */
    public long frameIndex() {
        return frame;
    }

    /** Renders the current frame, then advances the shapes by one step. */
    public Scene next() {
        int w = config.width();
        int h = config.height();
        byte[] rgb = background.clone();
        byte[] mask = new byte[w * h];
        for (int i = 0; i < classes.length; i++) {
            Raster.draw(new Raster.Shape(classes[i], x[i], y[i], radius[i], angle[i], colour[i]), w, h, rgb, mask);
        }
        Raster.noise(new SplittableRandom(Raster.mix(seed, frame)), rgb, config.noiseAmplitude());
        Scene scene = new Scene(w, h, rgb, mask, config.numClasses());
        step(w, h);
        frame++;
        return scene;
    }

    private void step(int w, int h) {
        for (int i = 0; i < classes.length; i++) {
            x[i] += vx[i];
            y[i] += vy[i];
            if (x[i] < radius[i] || x[i] > w - radius[i]) {
                vx[i] = -vx[i];
                x[i] = Math.max(radius[i], Math.min(w - radius[i], x[i]));
            }
            if (y[i] < radius[i] || y[i] > h - radius[i]) {
                vy[i] = -vy[i];
                y[i] = Math.max(radius[i], Math.min(h - radius[i], y[i]));
            }
            angle[i] += spin[i];
        }
    }
}
