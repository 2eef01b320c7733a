package io.visionstream.app.view;

import java.util.List;

/**
 * Everything the page shows apart from the pictures, at one moment; what {@code /state} and {@code
 * /events} send as JSON. Immutable.
 *
 * @param version increases with every change, so a client can tell a new state from an old one
 * @param counters totals since the viewer started
 * @param legend the mask classes and their colours, background left out; empty before the first mask
 * @param cameras one per camera seen, sorted by id
 */
record Snapshot(long version, Counters counters, List<LegendEntry> legend, List<CameraView> cameras) {

    Snapshot {
        legend = List.copyOf(legend);
        cameras = List.copyOf(cameras);
    }

    /**
     * @param frames frame records read from the input topic
     * @param predictions prediction records read, skipped ones included
     * @param deadLetters records read from the dead-letter topic
     * @param skipped predictions whose frame the processor skipped (stale, or shed under overload)
     * @param undecodable records (and frame images, and masks) the viewer could not decode
     * @param unmatched predictions whose frame the viewer never saw: it came before the viewer started, or
     *     had been evicted from the viewer's bounded memory
     * @param ignored records of cameras past the viewer's camera limit
     */
    record Counters(
            long frames,
            long predictions,
            long deadLetters,
            long skipped,
            long undecodable,
            long unmatched,
            long ignored) {}

    /** A mask class: its index, name and colour as {@code #rrggbb}. */
    record LegendEntry(int index, String name, String colour) {}

    /**
     * One camera.
     *
     * @param id the camera's {@code sourceId}
     * @param picture version of its latest picture (0 before the first); changes whenever the picture does
     * @param sequence the frame sequence number of that picture
     * @param status the prediction's status, {@code OK} or a skip reason
     * @param label the top class of that picture's prediction; null when it was skipped
     * @param score that class's probability; 0 when skipped
     * @param framesPerSecond predictions received for this camera per second, over the last few seconds
     * @param latencyMs mean milliseconds from capture to the prediction reaching the viewer, same window
     */
    record CameraView(
            String id,
            long picture,
            long sequence,
            String status,
            String label,
            float score,
            double framesPerSecond,
            double latencyMs) {}
}
