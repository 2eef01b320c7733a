package io.visionstream.inference.heads;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConvTranspose2x2Test {

    @Test
    void linearPlusDepthToSpaceEqualsTorchConvTranspose2d() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> fx = Fixtures.load(manager, "conv_transpose.safetensors");
            ConvTranspose2x2 block = new ConvTranspose2x2(5, 3);
            block.initialize(manager, DataType.FLOAT32, new Shape(2, 5, 3, 4));
            Map<String, Parameter> params = new LinkedHashMap<>();
            block.collectParameters("", params);
            assertThat(params.keySet()).containsExactly("weight", "bias");
            params.forEach(
                    (name, p) -> p.getArray().set(FloatBuffer.wrap(fx.get(name).toFloatArray())));

            NDArray out = block.forward(new ParameterStore(manager, false), new NDList(fx.get("input")), false)
                    .singletonOrThrow();

            Fixtures.assertClose(out, fx.get("output"), 1e-5);
        }
    }
}
