package io.visionstream.topology.processing;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A read-only {@code List<Float>} over a {@code float[]}, for Avro's array fields: the values stay
 * primitive in the record and are boxed one at a time only as the serializer reads them, instead of a
 * {@code Float} object per element kept for the record's life. Not a copy: the array must not change
 * while the list is in use.
 */
final class FloatList extends AbstractList<Float> implements RandomAccess {

    private final float[] values;

    FloatList(float[] values) {
        this.values = values;
    }

    @Override
    public Float get(int index) {
        return values[index];
    }

    @Override
    public int size() {
        return values.length;
    }
}
