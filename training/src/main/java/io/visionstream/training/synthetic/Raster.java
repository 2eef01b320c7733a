package io.visionstream.training.synthetic;

import java.util.SplittableRandom;

/**
 * The rasteriser shared by scenes and camera sequences: backgrounds, shapes and noise drawn into an
 * RGB byte array and a class mask. A pixel belongs to a shape when its centre does; the same test
 * writes the image and the mask, so they agree exactly. Stateless.
 */
final class Raster {

    private Raster() {}

    /** A shape instance in pixel coordinates. */
    record Shape(ShapeClass cls, double cx, double cy, double radius, double angle, int colour) {}

    /** Fills {@code rgb} with one of four textures: value noise, gradient, stripes, checker. */
    static void background(SplittableRandom rnd, int w, int h, byte[] rgb) {
        int[] a = mutedColour(rnd);
        int[] b = nearColour(rnd, a);
        int kind = rnd.nextInt(4);
        switch (kind) {
            case 0 -> valueNoise(rnd, w, h, rgb, a, b);
            case 1 -> gradient(rnd, w, h, rgb, a, b);
            case 2 -> stripes(rnd, w, h, rgb, a, b);
            default -> checker(rnd, w, h, rgb, a, b);
        }
    }

    private static int[] mutedColour(SplittableRandom rnd) {
        return new int[] {40 + rnd.nextInt(176), 40 + rnd.nextInt(176), 40 + rnd.nextInt(176)};
    }

    private static int[] nearColour(SplittableRandom rnd, int[] base) {
        int[] c = new int[3];
        for (int i = 0; i < 3; i++) {
            c[i] = clamp(base[i] + rnd.nextInt(-50, 51));
        }
        return c;
    }

    private static void valueNoise(SplittableRandom rnd, int w, int h, byte[] rgb, int[] a, int[] b) {
        int gw = 3 + rnd.nextInt(4);
        int gh = 3 + rnd.nextInt(4);
        double[] grid = new double[(gw + 1) * (gh + 1)];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = rnd.nextDouble();
        }
        for (int y = 0; y < h; y++) {
            double fy = (double) y / h * gh;
            int iy = (int) fy;
            double ty = fy - iy;
            for (int x = 0; x < w; x++) {
                double fx = (double) x / w * gw;
                int ix = (int) fx;
                double tx = fx - ix;
                double top = grid[iy * (gw + 1) + ix] * (1 - tx) + grid[iy * (gw + 1) + ix + 1] * tx;
                double bot = grid[(iy + 1) * (gw + 1) + ix] * (1 - tx) + grid[(iy + 1) * (gw + 1) + ix + 1] * tx;
                mix(rgb, (y * w + x) * 3, a, b, top * (1 - ty) + bot * ty);
            }
        }
    }

    private static void gradient(SplittableRandom rnd, int w, int h, byte[] rgb, int[] a, int[] b) {
        double angle = rnd.nextDouble() * 2 * Math.PI;
        double dx = Math.cos(angle);
        double dy = Math.sin(angle);
        double span = Math.abs(dx) * w + Math.abs(dy) * h;
        double min = Math.min(0, dx * w) + Math.min(0, dy * h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                mix(rgb, (y * w + x) * 3, a, b, (x * dx + y * dy - min) / span);
            }
        }
    }

    private static void stripes(SplittableRandom rnd, int w, int h, byte[] rgb, int[] a, int[] b) {
        double angle = rnd.nextDouble() * Math.PI;
        double period = Math.max(4, Math.min(w, h) * (0.06 + 0.12 * rnd.nextDouble()));
        boolean soft = rnd.nextBoolean();
        double dx = Math.cos(angle);
        double dy = Math.sin(angle);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = Math.sin((x * dx + y * dy) * 2 * Math.PI / period);
                mix(rgb, (y * w + x) * 3, a, b, soft ? 0.5 + 0.5 * s : (s >= 0 ? 1 : 0));
            }
        }
    }

    private static void checker(SplittableRandom rnd, int w, int h, byte[] rgb, int[] a, int[] b) {
        int cell = Math.max(3, (int) (Math.min(w, h) * (0.06 + 0.1 * rnd.nextDouble())));
        int ox = rnd.nextInt(cell);
        int oy = rnd.nextInt(cell);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                mix(rgb, (y * w + x) * 3, a, b, (((x + ox) / cell + (y + oy) / cell) & 1));
            }
        }
    }

    private static void mix(byte[] rgb, int p, int[] a, int[] b, double t) {
        rgb[p] = (byte) (a[0] + (int) Math.round((b[0] - a[0]) * t));
        rgb[p + 1] = (byte) (a[1] + (int) Math.round((b[1] - a[1]) * t));
        rgb[p + 2] = (byte) (a[2] + (int) Math.round((b[2] - a[2]) * t));
    }

    /**
     * A saturated colour far (in L1 distance) from the background colour at {@code (x, y)}, so the
     * shape stays visible; after a few tries the best candidate is kept.
     */
    static int shapeColour(SplittableRandom rnd, byte[] rgb, int w, int h, double x, double y) {
        int px = Math.max(0, Math.min(w - 1, (int) x));
        int py = Math.max(0, Math.min(h - 1, (int) y));
        int p = (py * w + px) * 3;
        int br = rgb[p] & 0xFF;
        int bg = rgb[p + 1] & 0xFF;
        int bb = rgb[p + 2] & 0xFF;
        int best = 0;
        int bestDistance = -1;
        for (int attempt = 0; attempt < 6; attempt++) {
            int c = hsv(rnd.nextDouble(), 0.55 + 0.45 * rnd.nextDouble(), 0.45 + 0.55 * rnd.nextDouble());
            int d = Math.abs((c >> 16) - br) + Math.abs(((c >> 8) & 0xFF) - bg) + Math.abs((c & 0xFF) - bb);
            if (d > bestDistance) {
                best = c;
                bestDistance = d;
            }
            if (d >= 150) {
                break;
            }
        }
        return best;
    }

    private static int hsv(double hue, double s, double v) {
        double h6 = hue * 6;
        int i = (int) h6 % 6;
        double f = h6 - Math.floor(h6);
        double p = v * (1 - s);
        double q = v * (1 - s * f);
        double t = v * (1 - s * (1 - f));
        double r;
        double g;
        double b;
        switch (i) {
            case 0 -> {
                r = v;
                g = t;
                b = p;
            }
            case 1 -> {
                r = q;
                g = v;
                b = p;
            }
            case 2 -> {
                r = p;
                g = v;
                b = t;
            }
            case 3 -> {
                r = p;
                g = q;
                b = v;
            }
            case 4 -> {
                r = t;
                g = p;
                b = v;
            }
            default -> {
                r = v;
                g = p;
                b = q;
            }
        }
        return ((int) Math.round(r * 255) << 16) | ((int) Math.round(g * 255) << 8) | (int) Math.round(b * 255);
    }

    /**
     * Draws {@code s} over the image and the mask: every pixel whose centre lies inside the shape gets
     * the shape's colour (lightly shaded along the shape's own vertical axis) and its class value.
     */
    static void draw(Shape s, int w, int h, byte[] rgb, byte[] mask) {
        double r = s.radius();
        int x0 = Math.max(0, (int) Math.floor(s.cx() - r));
        int x1 = Math.min(w - 1, (int) Math.ceil(s.cx() + r));
        int y0 = Math.max(0, (int) Math.floor(s.cy() - r));
        int y1 = Math.min(h - 1, (int) Math.ceil(s.cy() + r));
        double cos = Math.cos(s.angle()) / r;
        double sin = Math.sin(s.angle()) / r;
        int cr = s.colour() >> 16;
        int cg = (s.colour() >> 8) & 0xFF;
        int cb = s.colour() & 0xFF;
        byte value = (byte) s.cls().maskValue();
        for (int y = y0; y <= y1; y++) {
            double dy = y + 0.5 - s.cy();
            for (int x = x0; x <= x1; x++) {
                double dx = x + 0.5 - s.cx();
                double u = dx * cos + dy * sin;
                double v = -dx * sin + dy * cos;
                if (s.cls().contains(u, v)) {
                    int i = y * w + x;
                    mask[i] = value;
                    double shade = 1.0 - 0.12 * v; // 0.88 .. 1.12 across the shape
                    rgb[3 * i] = (byte) clamp((int) (cr * shade));
                    rgb[3 * i + 1] = (byte) clamp((int) (cg * shade));
                    rgb[3 * i + 2] = (byte) clamp((int) (cb * shade));
                }
            }
        }
    }

    /** Adds uniform noise in {@code [-amplitude, amplitude]} to every channel, 8 samples per random long. */
    static void noise(SplittableRandom rnd, byte[] rgb, int amplitude) {
        if (amplitude == 0) {
            return;
        }
        int span = 2 * amplitude + 1;
        long bits = 0;
        for (int i = 0; i < rgb.length; i++) {
            if ((i & 7) == 0) {
                bits = rnd.nextLong();
            }
            int n = (int) ((bits & 0xFF) * span >> 8) - amplitude;
            bits >>>= 8;
            rgb[i] = (byte) clamp((rgb[i] & 0xFF) + n);
        }
    }

    static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** SplitMix64's finaliser: spreads (seed, index) pairs into independent stream seeds. */
    static long mix(long seed, long index) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
