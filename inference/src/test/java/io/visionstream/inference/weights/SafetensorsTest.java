package io.visionstream.inference.weights;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path tmp;

    @Test
    void halfPrecisionValuesWidenExactly() {
        assertThat(Safetensors.halfToFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(Safetensors.halfToFloat((short) 0xC000)).isEqualTo(-2.0f);
        assertThat(Safetensors.halfToFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(Safetensors.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(Safetensors.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
    }

    @Test
    void bf16AndF16TensorsAreReadAsFloat32() throws Exception {
        String header = "{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[4,6]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + 6).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length).put(json);
        buf.putShort((short) 0x3FC0).putShort((short) 0xC120); // bf16 1.5, -10.0
        buf.putShort((short) 0x3555); // f16 0.333251953125
        Path file = tmp.resolve("h.safetensors");
        Files.write(file, buf.array());
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> t = Safetensors.read(file, m);
            assertThat(t.get("a").toFloatArray()).containsExactly(1.5f, -10.0f);
            assertThat(t.get("b").toFloatArray()).containsExactly(0.333251953125f);
        }
    }

    @Test
    void writtenFileIsReadableByDjlsOwnDecoder() throws Exception {
        Path file = tmp.resolve("w.safetensors");
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("x.weight", m.create(new float[] {1, 2, 3, 4, 5, 6}, new ai.djl.ndarray.types.Shape(2, 3)));
            t.put("x.bias", m.create(new float[] {-0.5f}));
            Safetensors.write(file, t);
            NDList decoded;
            try (InputStream in = Files.newInputStream(file)) {
                decoded = NDList.decode(m, in);
            }
            assertThat(decoded.get("x.weight").getShape()).isEqualTo(new ai.djl.ndarray.types.Shape(2, 3));
            assertThat(decoded.get("x.weight").toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(decoded.get("x.bias").toFloatArray()).containsExactly(-0.5f);
        }
    }
}
