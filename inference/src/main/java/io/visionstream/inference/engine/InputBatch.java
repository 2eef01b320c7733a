package io.visionstream.inference.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Locale;

/**
 * Room for up to {@link #capacity()} preprocessed images in native memory, {@code [capacity, C, H, W]}
 * float32 back to back in the platform's byte order: the layout {@link InferenceEngine#infer(InputBatch,
 * int, int)} reads. Each image has a slot that a preprocessor writes straight into ({@link #slot}), and an
 * engine that can read native memory (the DJL engine on a CPU) wraps a run of slots as its input tensor
 * without copying them.
 *
 * <p>The memory is a direct buffer, freed when the batch becomes unreachable; a {@link InputBatchPool}
 * reuses batches so that native memory follows the work in flight rather than the garbage collector's
 * timing.
 *
 * <p>Not thread-safe: one writer at a time, and no writer while an engine reads it. Slots are disjoint, so
 * handing the batch from the thread that fills it to the thread that runs it (through an executor or a
 * future) is safe.
 */
public final class InputBatch {

    private final ByteBuffer bytes;
    private final int capacity;
    private final int floatsPerImage;

    private InputBatch(int capacity, int floatsPerImage) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1 image, got " + capacity);
        }
        if (floatsPerImage < 1) {
            throw new IllegalArgumentException("floatsPerImage must be at least 1, got " + floatsPerImage);
        }
        long size = (long) capacity * floatsPerImage * Float.BYTES;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "%d images of %d floats need %d bytes, over one direct buffer's 2 GiB",
                    capacity,
                    floatsPerImage,
                    size));
        }
        this.bytes = ByteBuffer.allocateDirect((int) size).order(ByteOrder.nativeOrder());
        this.capacity = capacity;
        this.floatsPerImage = floatsPerImage;
    }

    /**
     * A new batch of {@code capacity} images of {@code floatsPerImage} floats each, zeroed.
     *
     * @throws IllegalArgumentException when a size is not positive or the whole exceeds 2 GiB
     */
    public static InputBatch allocate(int capacity, int floatsPerImage) {
        return new InputBatch(capacity, floatsPerImage);
    }

    /** Images it holds at most. */
    public int capacity() {
        return capacity;
    }

    /** Floats of one image, {@code C * H * W}. */
    public int floatsPerImage() {
        return floatsPerImage;
    }

    /**
     * Image {@code index}'s floats: a view of its slot, position 0, limit {@code C * H * W}. Writes through
     * the view land in the batch.
     *
     * @throws IndexOutOfBoundsException when {@code index} is not within {@code [0, capacity)}
     */
    public FloatBuffer slot(int index) {
        checkRange(index, 1);
        return bytes(index, 1).asFloatBuffer();
    }

    /**
     * The bytes of images {@code from .. from + count - 1}: a direct buffer whose first byte is image {@code
     * from}'s (as native code sees it, whatever the position), limit exactly their size, in native order.
     *
     * @throws IndexOutOfBoundsException when the range is empty or leaves the batch
     */
    public ByteBuffer bytes(int from, int count) {
        checkRange(from, count);
        int imageBytes = floatsPerImage * Float.BYTES;
        return bytes.slice(from * imageBytes, count * imageBytes).order(ByteOrder.nativeOrder());
    }

    /** Copies image {@code from} of this batch into slot {@code to} of {@code target} (same image size). */
    public void copyImage(int from, InputBatch target, int to) {
        if (target.floatsPerImage != floatsPerImage) {
            throw new IllegalArgumentException(
                    "images of " + floatsPerImage + " floats cannot go into slots of " + target.floatsPerImage);
        }
        target.bytes(to, 1).put(bytes(from, 1));
    }

    /** Copies images {@code from .. from + count - 1} into {@code dst} from index {@code offset} on. */
    public void copyTo(int from, int count, float[] dst, int offset) {
        bytes(from, count).asFloatBuffer().get(dst, offset, count * floatsPerImage);
    }

    /** Fills slots {@code to, to + 1, ...} with {@code src}, which must hold whole images. */
    public void copyFrom(float[] src, int to) {
        if (src.length % floatsPerImage != 0) {
            throw new IllegalArgumentException(
                    src.length + " floats are not whole images of " + floatsPerImage + " floats");
        }
        bytes(to, src.length / floatsPerImage).asFloatBuffer().put(src);
    }

    private void checkRange(int from, int count) {
        if (count < 1 || from < 0 || from > capacity - count) {
            throw new IndexOutOfBoundsException(
                    "images " + from + ".." + (from + count - 1) + " are not within a batch of " + capacity);
        }
    }
}
