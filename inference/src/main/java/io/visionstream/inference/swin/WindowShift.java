package io.visionstream.inference.swin;

/**
 * The window and cyclic shift one Swin block uses on its map, per axis.
 *
 * <p>timm's rule ({@code SwinTransformerBlock._calc_window_shift}): on an axis where the map is not
 * larger than the window, the window shrinks to the map and that axis does not shift; elsewhere the
 * window keeps its size and a shifted block shifts by {@code window // 2}. A map larger than the window
 * but not a multiple of it is padded with zeros at the bottom/right to a multiple before the shift,
 * and the shift mask covers the padded frame: torchvision's and mmsegmentation's order. timm (since
 * 2023-08) shifts before padding instead; the two agree on every block that does not shift and on
 * every map the window divides, which includes every registered timm Swin at its own image size.
 *
 * @param windowH window height
 * @param windowW window width
 * @param shiftH rows the map is rolled up by before attention (0: no shift on this axis)
 * @param shiftW columns the map is rolled left by before attention
 */
public record WindowShift(int windowH, int windowW, int shiftH, int shiftW) {

    /**
     * @throws IllegalArgumentException for a non-positive window or a shift outside [0, window)
     */
    public WindowShift {
        if (windowH < 1 || windowW < 1 || shiftH < 0 || shiftW < 0 || shiftH >= windowH || shiftW >= windowW) {
            throw new IllegalArgumentException(
                    "window " + windowH + "x" + windowW + " cannot shift by " + shiftH + "x" + shiftW);
        }
    }

    /**
     * The window and shift for a block on a {@code mapH x mapW} map.
     *
     * @param window the stage's window edge ({@code window_size})
     * @param shifted whether this is a shifted block (odd index in its stage)
     */
    public static WindowShift of(int mapH, int mapW, int window, boolean shifted) {
        if (mapH < 1 || mapW < 1 || window < 1) {
            throw new IllegalArgumentException(
                    "window_size=" + window + " on a " + mapH + "x" + mapW + " map: sizes must be positive");
        }
        int wh = Math.min(mapH, window);
        int ww = Math.min(mapW, window);
        int sh = shifted && mapH > window ? window / 2 : 0;
        int sw = shifted && mapW > window ? window / 2 : 0;
        return new WindowShift(wh, ww, sh, sw);
    }

    /** Whether either axis shifts (and attention needs the shift mask). */
    public boolean shifts() {
        return shiftH > 0 || shiftW > 0;
    }

    /** Tokens per window, {@code windowH * windowW}. */
    public int area() {
        return windowH * windowW;
    }

    /** {@code size} rounded up to a multiple of {@code window}. */
    static int padded(int size, int window) {
        return (size + window - 1) / window * window;
    }
}
