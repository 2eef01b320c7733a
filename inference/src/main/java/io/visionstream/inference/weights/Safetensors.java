package io.visionstream.inference.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * mapping each name to {@code dtype}, {@code shape} and {@code data_offsets} (relative to the end of
 * the header), then the raw little-endian tensor bytes.
 *
 * <p>Reads F32, F16 and BF16 tensors, always returning float32 arrays (half types are widened in Java:
 * converting BF16 with libtorch on CPU aborts the JVM in DJL 0.32), and I64 ones as float32 too (PyTorch
 * writes batch norms' {@code num_batches_tracked} counters so; the loader ignores them). Tensors are read one at a time, so
 * files over 2 GiB work. Writes F32. Stateless and thread-safe.
 */
public final class Safetensors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {}

    /**
     * Reads every tensor of {@code file} as a float32 array on {@code manager}, named by its key, in
     * file header order.
     *
     * @throws InvalidCheckpointException when the header or data are malformed or a dtype is unsupported
     * @throws IOException when the file cannot be read
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw invalid(file, "is " + size + " bytes, too short for a safetensors header");
            }
            long headerLen = readFully(ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw invalid(file, "declares a header of " + headerLen + " bytes in a file of " + size);
            }
            JsonNode header;
            try {
                header = JSON.readTree(readFully(ch, 8, (int) headerLen).array());
            } catch (IOException e) {
                throw new InvalidCheckpointException(file + ": malformed safetensors header: " + e.getMessage(), e);
            }
            if (header == null || !header.isObject()) {
                throw invalid(file, "header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : header.properties()) {
                if ("__metadata__".equals(e.getKey())) {
                    continue;
                }
                out.put(e.getKey(), readTensor(file, ch, e.getKey(), e.getValue(), dataStart, dataLen, manager));
            }
            return out;
        }
    }

    private static NDArray readTensor(
            Path file, FileChannel ch, String name, JsonNode spec, long dataStart, long dataLen, NDManager manager)
            throws IOException {
        JsonNode dtype = spec.get("dtype");
        JsonNode shapeNode = spec.get("shape");
        JsonNode offsets = spec.get("data_offsets");
        if (dtype == null
                || !dtype.isTextual()
                || shapeNode == null
                || !shapeNode.isArray()
                || offsets == null
                || !offsets.isArray()
                || offsets.size() != 2) {
            throw invalid(file, "tensor '" + name + "' needs dtype, shape and two data_offsets: " + spec);
        }
        long[] dims = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shapeNode.get(i).asLong(-1);
            if (dims[i] < 0) {
                throw invalid(file, "tensor '" + name + "' has a bad shape " + shapeNode);
            }
            count = Math.multiplyExact(count, dims[i]);
        }
        int width;
        switch (dtype.asText()) {
            case "F32" -> width = 4;
            case "F16", "BF16" -> width = 2;
            case "I64" -> width = 8;
            default ->
                throw invalid(
                        file, "tensor '" + name + "' has dtype " + dtype.asText() + "; supported: F32, F16, BF16, I64");
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataLen || end - begin != count * width) {
            throw invalid(
                    file,
                    String.format(
                            Locale.ROOT,
                            "tensor '%s' data_offsets [%d, %d] do not hold %d %s values inside %d data bytes",
                            name,
                            begin,
                            end,
                            count,
                            dtype.asText(),
                            dataLen));
        }
        ByteBuffer raw =
                readFully(ch, dataStart + begin, Math.toIntExact(end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer f32 = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.nativeOrder());
        switch (dtype.asText()) {
            case "F32" -> f32.asFloatBuffer().put(raw.asFloatBuffer());
            case "BF16" -> {
                for (long i = 0; i < count; i++) {
                    f32.putFloat(Float.intBitsToFloat((raw.getShort() & 0xffff) << 16));
                }
            }
            case "I64" -> {
                for (long i = 0; i < count; i++) {
                    f32.putFloat((float) raw.getLong());
                }
            }
            default -> {
                for (long i = 0; i < count; i++) {
                    f32.putFloat(halfToFloat(raw.getShort()));
                }
            }
        }
        f32.rewind();
        NDArray array = manager.create(f32, new Shape(dims), DataType.FLOAT32);
        array.setName(name);
        return array;
    }

    /**
     * Writes {@code tensors} as F32 in map order, with {@code __metadata__ = {"format": "pt"}}. The file
     * is written next to its destination and moved into place, so readers never see half a file.
     *
     * @throws IOException when the file cannot be written
     */
    public static void write(Path file, Map<String, NDArray> tensors) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        Map<String, float[]> data = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            float[] values = a.toType(DataType.FLOAT32, false).toFloatArray();
            ObjectNode spec = header.putObject(e.getKey());
            spec.put("dtype", "F32");
            ArrayNode shape = spec.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            spec.putArray("data_offsets").add(offset).add(offset + 4L * values.length);
            offset += 4L * values.length;
            data.put(e.getKey(), values);
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // keeps the data 8-byte aligned, as the reference writer does
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp)) {
            ByteBuffer len =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            os.write(len.array());
            os.write(json);
            os.write(" ".repeat(padded - json.length).getBytes(StandardCharsets.US_ASCII));
            for (float[] values : data.values()) {
                ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(values);
                os.write(buf.array());
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new InvalidCheckpointException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
        buf.flip();
        return buf;
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero)
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static InvalidCheckpointException invalid(Path file, String what) {
        return new InvalidCheckpointException(file + ": " + what);
    }
}
