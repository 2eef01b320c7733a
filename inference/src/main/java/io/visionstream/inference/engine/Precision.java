package io.visionstream.inference.engine;

import ai.djl.ndarray.types.DataType;

/** Numeric type of the model's parameters and activations. Reduced precision is GPU-only. */
public enum Precision {
    /** float32, on any device. */
    FP32(DataType.FLOAT32),
    /** float16, GPU only. */
    FP16(DataType.FLOAT16),
    /** bfloat16, GPU only (converting to it on CPU aborts the JVM in DJL 0.32). */
    BF16(DataType.BFLOAT16);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    /** The DJL type. */
    public DataType dataType() {
        return dataType;
    }
}
