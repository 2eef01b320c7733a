package io.visionstream.training.synthetic;

/**
 * The built-in shape classes. A dataset with K classes uses the first K, as mask values 1..K in this
 * order; mask value 0 is background.
 */
public enum ShapeClass {
    CIRCLE("circle"),
    SQUARE("square"),
    TRIANGLE("triangle"),
    STAR("star"),
    CROSS("cross"),
    RING("ring");

    private final String label;

    ShapeClass(String label) {
        this.label = label;
    }

    /** Lower-case class name, as used in label lists. */
    public String label() {
        return label;
    }

    /** The mask value of this class: {@code ordinal() + 1}. */
    public int maskValue() {
        return ordinal() + 1;
    }

    private static final double SQRT3_2 = Math.sqrt(3) / 2;
    // Star: outer vertices at radius 1, inner at 0.45; the edge from outer (1, 0) to inner at 36 degrees.
    private static final double STAR_INNER = 0.45;
    private static final double STAR_X2 = STAR_INNER * Math.cos(Math.PI / 5);
    private static final double STAR_Y2 = STAR_INNER * Math.sin(Math.PI / 5);
    private static final double SECTOR = 2 * Math.PI / 5;

    /**
     * Whether the point {@code (u, v)}, in the shape's own frame scaled so that the shape's outer radius
     * is 1, lies inside the shape.
     */
    boolean contains(double u, double v) {
        switch (this) {
            case CIRCLE:
                return u * u + v * v <= 1.0;
            case SQUARE:
                return Math.abs(u) <= 0.78 && Math.abs(v) <= 0.78;
            case TRIANGLE:
                // Equilateral, circumradius 1, apex up (v negative is up): three half-planes at inradius 0.5.
                return v <= 0.5 && (-SQRT3_2 * u - 0.5 * v) <= 0.5 && (SQRT3_2 * u - 0.5 * v) <= 0.5;
            case STAR: {
                double rr = u * u + v * v;
                if (rr > 1.0) {
                    return false;
                }
                if (rr <= STAR_INNER * STAR_INNER * 0.65) {
                    return true; // inside the inner pentagon's incircle
                }
                // Fold the angle into [0, 36] degrees of one spike, then test against the spike's edge.
                double theta = Math.atan2(v, u) + Math.PI / 2; // a spike points up
                double phi = theta - SECTOR * Math.floor(theta / SECTOR);
                if (phi > SECTOR / 2) {
                    phi = SECTOR - phi;
                }
                double r = Math.sqrt(rr);
                double px = r * Math.cos(phi);
                double py = r * Math.sin(phi);
                // Origin side of the line from (1, 0) to (STAR_X2, STAR_Y2).
                double cross = (STAR_X2 - 1) * py - STAR_Y2 * (px - 1);
                return cross >= 0;
            }
            case CROSS: {
                double au = Math.abs(u);
                double av = Math.abs(v);
                return (au <= 0.3 && av <= 0.95) || (av <= 0.3 && au <= 0.95);
            }
            case RING: {
                double rr = u * u + v * v;
                return rr <= 1.0 && rr >= 0.55 * 0.55;
            }
            default:
                throw new IllegalStateException("unhandled shape " + this);
        }
    }
}
