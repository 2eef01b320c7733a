package io.visionstream.topology.app;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.visionstream.inference.engine.BatchResult;
import io.visionstream.inference.engine.EngineOptions;
import io.visionstream.inference.engine.ImageResult;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.inference.engine.InferenceEngines;
import io.visionstream.inference.engine.ModelPreprocessing;
import io.visionstream.inference.engine.Precision;
import io.visionstream.inference.engine.Prediction;
import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.DecodedImage;
import io.visionstream.inference.image.ImageDecodeException;
import io.visionstream.inference.image.ImageDecoder;
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

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(
            names = "--precision",
            defaultValue = "FP32",
            description = "FP32, FP16 or BF16; the last two on GPU only (default: ${DEFAULT-VALUE}).")
    Precision precision;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files (JPEG or PNG), or folders of them.")
    List<Path> images;

    private final ObjectMapper mapper = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private record Loaded(Path path, float[] pixels) {}

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
            Preprocessor preprocessor = new Preprocessor(ModelPreprocessing.configFor(engine.info()));
            ImageDecoder decoder = new ImageDecoder(DecodeLimits.defaults());
            List<Loaded> batch = new ArrayList<>(batchSize);
            for (Path file : files) {
                try {
                    DecodedImage image = decoder.decode(Files.readAllBytes(file));
                    float[] pixels = new float[preprocessor.floatsPerImage()];
                    preprocessor.preprocess(image, pixels, 0);
                    batch.add(new Loaded(file, pixels));
                } catch (IOException | ImageDecodeException e) {
                    failures++;
                    reportFailure(out, err, file, e);
                }
                if (batch.size() == batchSize) {
                    run(engine, batch, out);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                run(engine, batch, out);
            }
        }
        out.flush();
        return failures == 0 ? 0 : 1;
    }

    private void run(InferenceEngine engine, List<Loaded> batch, PrintWriter out) {
        int fpi = engine.info().floatsPerImage();
        float[] input = new float[batch.size() * fpi];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i).pixels(), 0, input, i * fpi, fpi);
        }
        BatchResult result = engine.infer(input, batch.size());
        for (int i = 0; i < batch.size(); i++) {
            print(out, batch.get(i).path(), result.get(i));
        }
    }

    private void print(PrintWriter out, Path file, ImageResult r) {
        if (json) {
            var node = mapper.createObjectNode();
            node.put("image", file.toString());
            var top = node.putArray("top");
            for (Prediction p : r.topK()) {
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
            for (Prediction p : r.topK()) {
                line.append(String.format(Locale.ROOT, "  %d. %s %.4f", rank++, p.label(), p.score()));
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
