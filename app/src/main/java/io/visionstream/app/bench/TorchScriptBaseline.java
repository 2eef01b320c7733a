package io.visionstream.app.bench;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A TorchScript module of the same architecture as a benchmarked model (torchvision's ViT, written by
 * {@code inference/src/test/python/export_torchscript_baseline.py}), run in the same libtorch through
 * DJL's PyTorch engine, on the CPU, on the calling thread with its intra-op threads and grad mode off:
 * the baseline the engine's eager forward is timed against. One instance per model; not thread-safe.
 */
final class TorchScriptBaseline implements AutoCloseable {

    /** The script that writes the files, named in error messages. */
    static final String SCRIPT = "inference/src/test/python/export_torchscript_baseline.py";

    private final Path file;
    private final NDManager manager;
    private final PtSymbolBlock module;

    private TorchScriptBaseline(Path file, NDManager manager, PtSymbolBlock module) {
        this.file = file;
        this.manager = manager;
        this.module = module;
    }

    /**
     * The file of each architecture in {@code dir}: {@code dir/<architecture>.pt}, in the order given.
     * Checked before any timing starts, so a typo fails at once instead of after minutes of benchmarks.
     *
     * @throws IllegalArgumentException naming the missing directory or the first missing file
     */
    static Map<String, Path> files(Path dir, List<String> architectures) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    "--torchscript " + dir + " is not a directory (write one with " + SCRIPT + " DIR)");
        }
        Map<String, Path> files = new LinkedHashMap<>();
        for (String arch : architectures) {
            Path file = dir.resolve(arch + ".pt");
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(
                        "--torchscript " + dir + " has no " + file.getFileName() + " for model " + arch
                                + " (the script " + SCRIPT + " writes vit_tiny_patch16_224.pt and"
                                + " vit_small_patch16_224.pt)");
            }
            files.put(arch, file);
        }
        return files;
    }

    /**
     * Loads {@code file} on the CPU and checks that it maps {@code [1, C, H, W]} to {@code [1, classes]}.
     *
     * @param inputShape one image, {@code [1, C, H, W]}
     * @param classes the logits the benchmarked model gives per image
     * @throws IllegalArgumentException when libtorch cannot load the file as TorchScript, the module
     *     fails on the input, or its output has another shape
     */
    static TorchScriptBaseline load(Path file, Shape inputShape, long classes) {
        NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        try {
            PtSymbolBlock module;
            try {
                module = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0], new String[0], false);
            } catch (EngineException e) {
                // the first line says why; the rest is libtorch's C++ stack, noise on a command line
                throw new IllegalArgumentException(
                        file + " is not a TorchScript file libtorch can load: " + firstLine(e.getMessage()));
            }
            TorchScriptBaseline baseline = new TorchScriptBaseline(file, manager, module);
            Shape expected = new Shape(1, classes);
            String got;
            try (NDManager scope = manager.newSubManager()) {
                NDList out = baseline.forward(scope, scope.zeros(inputShape));
                got = out.size() == 1 ? out.get(0).getShape().toString() : out.size() + " tensors";
            } catch (EngineException e) {
                throw new IllegalArgumentException(
                        file + " fails on a " + inputShape + " input: " + firstLine(e.getMessage()));
            }
            if (!got.equals(expected.toString())) {
                throw new IllegalArgumentException(file + " returns " + got + " for a " + inputShape
                        + " input; the benchmarked model returns " + expected);
            }
            return baseline;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The file this module came from. */
    Path file() {
        return file;
    }

    /**
     * One batch as the engine gets it: the images copied into a tensor, the forward, the logits copied
     * back to the Java heap; every array freed before returning.
     *
     * @param images {@code batch} images {@code [C, H, W]}, back to back
     * @param imageShape {@code [C, H, W]}
     * @return the logits, {@code batch x classes}
     */
    float[] infer(float[] images, int batch, Shape imageShape) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(FloatBuffer.wrap(images), new Shape(batch).addAll(imageShape));
            return forward(scope, x).singletonOrThrow().toFloatArray();
        }
    }

    private NDList forward(NDManager scope, NDArray x) {
        // as DjlEngine: torch.no_grad() on this thread for the forward, then as the caller had it
        boolean gradMode = JniUtils.isGradMode();
        if (gradMode) {
            JniUtils.setGradMode(false);
        }
        try {
            return module.forward(new ParameterStore(scope, false), new NDList(x), false);
        } finally {
            if (gradMode) {
                JniUtils.setGradMode(true);
            }
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }

    @Override
    public void close() {
        module.close();
        manager.close();
    }
}
