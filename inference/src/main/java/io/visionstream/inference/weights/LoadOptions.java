package io.visionstream.inference.weights;

import ai.djl.ndarray.types.DataType;
import java.util.Objects;

/**
 * How to load a checkpoint.
 *
 * @param imgHeight input height to run at, or 0 for the checkpoint's own
 * @param imgWidth input width to run at, or 0 for the checkpoint's own
 * @param dataType parameter type on the device: FLOAT32, or FLOAT16/BFLOAT16 (GPU only, checked by the
 *     engine)
 */
public record LoadOptions(int imgHeight, int imgWidth, DataType dataType) {

    /**
     * Validates the sizes and type.
     *
     * @throws IllegalArgumentException naming the offending field and value
     */
    public LoadOptions {
        Objects.requireNonNull(dataType, "dataType");
        if (imgHeight < 0 || imgWidth < 0 || (imgHeight == 0) != (imgWidth == 0)) {
            throw new IllegalArgumentException(
                    "image size " + imgHeight + "x" + imgWidth + " must be both positive or both 0 (checkpoint's own)");
        }
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT16 && dataType != DataType.BFLOAT16) {
            throw new IllegalArgumentException("dataType=" + dataType + " is not one of FLOAT32, FLOAT16, BFLOAT16");
        }
    }

    /** The checkpoint's own size, float32. */
    public static LoadOptions defaults() {
        return new LoadOptions(0, 0, DataType.FLOAT32);
    }

    /** Another input size (position embeddings resampled), float32. */
    public static LoadOptions atSize(int height, int width) {
        return new LoadOptions(height, width, DataType.FLOAT32);
    }

    /** A copy with another parameter type. */
    public LoadOptions withDataType(DataType type) {
        return new LoadOptions(imgHeight, imgWidth, type);
    }
}
