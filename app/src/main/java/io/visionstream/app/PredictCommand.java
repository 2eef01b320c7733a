package io.visionstream.app;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.visionstream.app.view.OverlayRenderer;
import io.visionstream.inference.engine.BatchResult;
import io.visionstream.inference.engine.EngineOptions;
import io.visionstream.inference.engine.ImageResult;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.inference.engine.InferenceEngines;
import io.visionstream.inference.engine.Precision;
import io.visionstream.inference.engine.ScoredClass;
import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.DecodedImage;
import io.visionstream.inference.image.ImageDecodeException;
import io.visionstream.inference.image.ImageDecoder;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.inference.image.Preprocessor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Classifies image files with a model directory. Every input gets exactly one output: a result, or an
 * error naming the file and what is wrong with it (then the exit code is 1).
 */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = "Classify images with a model directory (timm layout: config.json + model.safetensors).")
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Model directory.")
    Path model;

    @Option(
            names = "--top-k",
            defaultValue = "5",
            description = "Classes to report per image (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--json", description = "One JSON object per image on stdout, with all logits and the embedding.")
    boolean json;

    @Option(
            names = "--batch-size",
            defaultValue = "8",
            description = "Images per inference batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--device",
            defaultValue = "auto",
            description = "auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(
            names = "--precision",
            defaultValue = "FP32",
            description = "FP32, FP16 or BF16; the last two on GPU only (default: ${DEFAULT-VALUE}).")
    Precision precision;

    @Option(
            names = "--mask-out",
            paramLabel = "DIR",
            description = "Write each image's segmentation as NAME.mask.png (pixel value = class index, at the"
                    + " image's size; 255 = cut by the center crop) and NAME.overlay.png (the image with the mask in class"
                    + " colours and the top class, scaled up to at least 256 px). Needs a dense head.")
    Path maskOut;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files (JPEG or PNG), or folders of them.")
    List<Path> images;

    private final ObjectMapper mapper = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private record Loaded(Path path, DecodedImage image, float[] pixels) {}

    // All 256 VOC colours, so the "unseen" value 255 has one too; the viewer's renderer paints with them.
    private static final OverlayRenderer RENDERER = OverlayRenderer.standard();

    @Override
    public Integer call() throws IOException {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Path> files = expand(images);
        EngineOptions options = new EngineOptions(topK, precision, device);
        int failures = 0;
        try (InferenceEngine engine = InferenceEngines.open(model, options)) {
            if (maskOut != null) {
                if (!engine.info().segments()) {
                    throw new IllegalArgumentException(
                            "--mask-out needs a model with a dense head; " + model + " has none");
                }
                Files.createDirectories(maskOut);
            }
            Preprocessor preprocessor = new Preprocessor(engine.info().preprocess());
            ImageDecoder decoder = new ImageDecoder(DecodeLimits.defaults());
            List<Loaded> batch = new ArrayList<>(batchSize);
            for (Path file : files) {
                try {
                    DecodedImage image = decoder.decode(Files.readAllBytes(file));
                    float[] pixels = new float[preprocessor.floatsPerImage()];
                    preprocessor.preprocess(image, pixels, 0);
                    batch.add(new Loaded(file, image, pixels));
                } catch (IOException | ImageDecodeException e) {
                    failures++;
                    reportFailure(out, err, file, e);
                }
                if (batch.size() == batchSize) {
                    run(engine, preprocessor, batch, out);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                run(engine, preprocessor, batch, out);
            }
        }
        out.flush();
        return failures == 0 ? 0 : 1;
    }

    private void run(InferenceEngine engine, Preprocessor preprocessor, List<Loaded> batch, PrintWriter out)
            throws IOException {
        int fpi = engine.info().floatsPerImage();
        float[] input = new float[batch.size() * fpi];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i).pixels(), 0, input, i * fpi, fpi);
        }
        BatchResult result = engine.infer(input, batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Loaded loaded = batch.get(i);
            Path[] written = maskOut == null ? null : writeMask(preprocessor, loaded, result.get(i));
            print(out, loaded.path(), result.get(i), written);
        }
    }

    /** Writes NAME.mask.png and NAME.overlay.png; returns their paths. */
    private Path[] writeMask(Preprocessor preprocessor, Loaded loaded, ImageResult r) throws IOException {
        DecodedImage image = loaded.image();
        byte[] mask = preprocessor.projectToFrame(r.classMap(), image.width(), image.height(), (byte) 255);
        String name = loaded.path().getFileName().toString().replaceFirst("\\.[^.]*$", "");
        Path maskFile = maskOut.resolve(name + ".mask.png");
        Path overlayFile = maskOut.resolve(name + ".overlay.png");
        Files.write(maskFile, ImageEncoder.maskPng(mask, image.width(), image.height(), RENDERER.palette()));
        String caption = r.topK().isEmpty()
                ? null
                : OverlayRenderer.caption(
                        r.topK().get(0).label(), r.topK().get(0).score());
        Files.write(overlayFile, RENDERER.png(image, mask, image.width(), image.height(), caption));
        return new Path[] {maskFile, overlayFile};
    }

    private void print(PrintWriter out, Path file, ImageResult r, Path[] written) {
        if (json) {
            var node = mapper.createObjectNode();
            node.put("image", file.toString());
            if (written != null) {
                node.put("mask", written[0].toString());
                node.put("overlay", written[1].toString());
            }
            var top = node.putArray("top");
            for (ScoredClass p : r.topK()) {
                top.addObject().put("index", p.index()).put("label", p.label()).put("score", p.score());
            }
            var logits = node.putArray("logits");
            for (float v : r.logits()) {
                logits.add(v);
            }
            var embedding = node.putArray("embedding");
            for (float v : r.embedding()) {
                embedding.add(v);
            }
            out.println(node);
        } else {
            StringBuilder line = new StringBuilder(file.toString());
            int rank = 1;
            for (ScoredClass p : r.topK()) {
                line.append(String.format(Locale.ROOT, "  %d. %s %.4f", rank++, p.label(), p.score()));
            }
            if (written != null) {
                line.append("  mask ").append(written[0]).append("  overlay ").append(written[1]);
            }
            out.println(line);
        }
    }

    private void reportFailure(PrintWriter out, PrintWriter err, Path file, Exception e) {
        String reason = e instanceof IOException ? "cannot read: " + e : e.getMessage();
        if (json) {
            out.println(mapper.createObjectNode().put("image", file.toString()).put("error", reason));
        }
        err.println("vision predict: " + file + ": " + reason);
    }

    /** Files as given, folders replaced by their JPEG and PNG files in name order. */
    static List<Path> expand(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> children = Files.list(p)) {
                    children.filter(Files::isRegularFile)
                            .filter(f -> f.getFileName()
                                    .toString()
                                    .toLowerCase(Locale.ROOT)
                                    .matches(".*\\.(jpe?g|png)"))
                            .sorted()
                            .forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + p, e);
                }
            } else {
                files.add(p);
            }
        }
        return files;
    }
}
