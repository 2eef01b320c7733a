package io.visionstream.app.bench;

import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.ImageDecodeException;
import io.visionstream.inference.image.ImageDecoder;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.image.Preprocessor;
import io.visionstream.training.synthetic.SceneConfig;
import io.visionstream.training.synthetic.SyntheticScenes;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a stream thread spends per frame before the model: JPEG decode, and decode plus preprocessing to the
 * model's input, on one thread, for frames of several sizes. Frames are synthetic scenes rendered at each
 * size and JPEG-encoded at quality 90. Every loop runs once untimed first, so the timed pass uses compiled
 * code; the figures are frames/s of one core, the unit the capacity arithmetic (docs/capacity.md) takes.
 */
public final class DecodeBenchmark {

    /** Frame quality of the encoded scenes. */
    static final int JPEG_QUALITY = 90;

    /**
     * @param sizes frame sizes {@code {width, height}}, each side at least 8
     * @param preprocess the model input the frames are preprocessed to
     * @param pixelsPerSize about how many pixels to decode per size and pass (the frame count follows, at
     *     least 8 frames), which keeps every size to a similar time
     */
    public record Options(List<int[]> sizes, PreprocessConfig preprocess, long pixelsPerSize) {
        public Options {
            sizes = List.copyOf(sizes);
            if (sizes.isEmpty() || pixelsPerSize < 1) {
                throw new IllegalArgumentException("need at least one frame size and pixels per size >= 1");
            }
            for (int[] s : sizes) {
                if (s.length != 2 || s[0] < 8 || s[1] < 8) {
                    throw new IllegalArgumentException("frame sizes must be WxH with sides of at least 8 pixels");
                }
            }
        }
    }

    /** One frame size's figures. */
    public record Row(
            int width,
            int height,
            int frames,
            long meanJpegBytes,
            double decodePerSecond,
            double decodeAndPreprocessPerSecond) {}

    private DecodeBenchmark() {}

    public static List<Row> run(Options o, PrintStream out) throws ImageDecodeException {
        out.println(Machine.describe());
        PreprocessConfig p = o.preprocess();
        out.printf(
                Locale.ROOT,
                "settings: synthetic scenes as JPEG quality %d, preprocessed to %dx%d (%s, crop %.3f), one thread%n",
                JPEG_QUALITY,
                p.width(),
                p.height(),
                p.interpolation(),
                p.cropPct());
        out.printf(
                Locale.ROOT,
                "%-11s %7s %11s %14s %22s %14s%n",
                "frame",
                "frames",
                "JPEG bytes",
                "decode /s",
                "decode+preprocess /s",
                "ms per frame");
        Preprocessor preprocessor = new Preprocessor(p);
        ImageDecoder decoder = new ImageDecoder(DecodeLimits.defaults());
        List<Row> rows = new ArrayList<>();
        for (int[] size : o.sizes()) {
            int frames = (int) Math.max(8, Math.min(100_000, o.pixelsPerSize() / ((long) size[0] * size[1])));
            SyntheticScenes scenes = new SyntheticScenes(SceneConfig.defaults(size[0], size[1]), 3);
            List<byte[]> jpegs = new ArrayList<>(frames);
            long bytes = 0;
            for (int i = 0; i < frames; i++) {
                byte[] jpeg = ImageEncoder.jpeg(scenes.scene(i).image(), JPEG_QUALITY);
                jpegs.add(jpeg);
                bytes += jpeg.length;
            }
            double[] rates = rates(jpegs, decoder, preprocessor);
            Row row = new Row(size[0], size[1], frames, bytes / frames, rates[0], rates[1]);
            rows.add(row);
            out.printf(
                    Locale.ROOT,
                    "%-11s %7d %11d %14.1f %22.1f %14.2f%n",
                    size[0] + "x" + size[1],
                    frames,
                    row.meanJpegBytes(),
                    row.decodePerSecond(),
                    row.decodeAndPreprocessPerSecond(),
                    1000 / row.decodeAndPreprocessPerSecond());
        }
        out.println(Machine.loadAverage("load average at end"));
        return rows;
    }

    /**
     * Frames/s of this thread decoding {@code jpegs}, and decoding and preprocessing them, each timed after
     * one untimed pass of both (so neither runs on colder code than the other).
     *
     * @return {@code {decode, decode + preprocess}} frames/s
     */
    static double[] rates(List<byte[]> jpegs, ImageDecoder decoder, Preprocessor preprocessor)
            throws ImageDecodeException {
        float[] pixels = new float[preprocessor.floatsPerImage()];
        for (byte[] jpeg : jpegs) {
            preprocessor.preprocess(decoder.decode(jpeg), pixels, 0);
        }
        long t0 = System.nanoTime();
        for (byte[] jpeg : jpegs) {
            decoder.decode(jpeg);
        }
        long t1 = System.nanoTime();
        for (byte[] jpeg : jpegs) {
            preprocessor.preprocess(decoder.decode(jpeg), pixels, 0);
        }
        long t2 = System.nanoTime();
        return new double[] {
            jpegs.size() / PipelineBenchmark.seconds(t1 - t0), jpegs.size() / PipelineBenchmark.seconds(t2 - t1)
        };
    }
}
