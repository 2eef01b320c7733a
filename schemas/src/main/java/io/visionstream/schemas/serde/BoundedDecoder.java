package io.visionstream.schemas.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * A {@link BinaryDecoder} over one frame's body that rejects any length or block count larger than the body
 * before anything is allocated for it.
 *
 * <p>Avro itself allocates whatever a length prefix asks for: five corrupt bytes that declare a 2 GB
 * {@code bytes} field make it allocate 2 GB, and a stream thread dies of {@link OutOfMemoryError} over one
 * bad record. No valid string, bytes field or block of items in our contracts is longer than the body
 * that holds it (every item takes at least one byte), so the body's size is a safe upper bound. Not
 * thread-safe; one per frame.
 */
final class BoundedDecoder extends Decoder {
    private final BinaryDecoder in;
    private final int bodySize;

    BoundedDecoder(BinaryDecoder in, int bodySize) {
        this.in = in;
        this.bodySize = bodySize;
    }

    /** Whether the whole body has been read. */
    boolean isEnd() throws IOException {
        return in.isEnd();
    }

    private int length(String what) throws IOException {
        long length = in.readLong();
        if (length < 0 || length > bodySize) {
            throw new IOException(what + " declares a length of " + length + " bytes in a body of " + bodySize);
        }
        return (int) length;
    }

    private long count(long items, String what) throws IOException {
        if (items > bodySize) {
            throw new IOException(what + " declares " + items + " items in a body of " + bodySize + " bytes");
        }
        return items;
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = length("string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        in.readFixed(result.getBytes(), 0, length);
        return result;
    }

    @Override
    public String readString() throws IOException {
        int length = length("string");
        byte[] bytes = new byte[length];
        in.readFixed(bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void skipString() throws IOException {
        in.skipFixed(length("string"));
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = length("bytes field");
        byte[] bytes = new byte[length];
        in.readFixed(bytes, 0, length);
        return ByteBuffer.wrap(bytes);
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipFixed(length("bytes field"));
    }

    @Override
    public long readArrayStart() throws IOException {
        return count(in.readArrayStart(), "array block");
    }

    @Override
    public long arrayNext() throws IOException {
        return count(in.arrayNext(), "array block");
    }

    @Override
    public long skipArray() throws IOException {
        return count(in.skipArray(), "array block");
    }

    @Override
    public long readMapStart() throws IOException {
        return count(in.readMapStart(), "map block");
    }

    @Override
    public long mapNext() throws IOException {
        return count(in.mapNext(), "map block");
    }

    @Override
    public long skipMap() throws IOException {
        return count(in.skipMap(), "map block");
    }

    // Fixed-size reads: their sizes come from the schema, not the frame, so they pass straight through.

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }
}
