package io.visionstream.inference.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Builds PNG files chunk by chunk, with correct CRCs, for tests that need hand-made headers. */
final class PngBuilder {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PngBuilder() {
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    }

    PngBuilder ihdr(long width, long height, int bitDepth, int colorType) {
        ByteBuffer b = ByteBuffer.allocate(13);
        b.putInt((int) width).putInt((int) height).put((byte) bitDepth).put((byte) colorType);
        b.put((byte) 0).put((byte) 0).put((byte) 0);
        return chunk("IHDR", b.array());
    }

    PngBuilder chunk(String type, byte[] body) {
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        out.writeBytes(ByteBuffer.allocate(4).putInt(body.length).array());
        out.writeBytes(t);
        out.writeBytes(body);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(body);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return this;
    }

    /** IDAT holding {@code rows} scanlines of {@code rowBytes} zero bytes (filter 0), deflated row by row. */
    PngBuilder zeroIdat(long rows, int rowBytes) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] row = new byte[1 + rowBytes];
        byte[] buf = new byte[64 * 1024];
        for (long r = 0; r < rows; r++) {
            deflater.setInput(row);
            while (!deflater.needsInput()) {
                int n = deflater.deflate(buf);
                z.write(buf, 0, n);
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            int n = deflater.deflate(buf);
            z.write(buf, 0, n);
        }
        deflater.end();
        return chunk("IDAT", z.toByteArray());
    }

    PngBuilder iend() {
        return chunk("IEND", new byte[0]);
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
