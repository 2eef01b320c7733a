package io.visionstream.topology.processing;

import java.nio.ByteBuffer;

/**
 * An input record exactly as it arrived: enough to rebuild its outcome from durable state after a crash.
 * Arrays are not copied; nobody mutates them.
 *
 * @param topic input topic
 * @param partition input partition
 * @param offset input offset
 * @param key key bytes, or null
 * @param value value bytes, or null
 * @param timestamp the record's timestamp, epoch millis
 */
public record InputRecord(String topic, int partition, long offset, byte[] key, byte[] value, long timestamp) {

    /**
     * The pending-frames store's value as versions before the offset-only store wrote it: timestamp, key
     * and value (topic, partition and offset are known from the task and the store key). Kept so a store
     * restored from such a changelog can be read (tests write it to prove that).
     */
    byte[] toStoreValue() {
        int keyLength = key == null ? -1 : key.length;
        int valueLength = value == null ? -1 : value.length;
        ByteBuffer buffer = ByteBuffer.allocate(8 + 4 + Math.max(keyLength, 0) + 4 + Math.max(valueLength, 0));
        buffer.putLong(timestamp).putInt(keyLength);
        if (key != null) {
            buffer.put(key);
        }
        buffer.putInt(valueLength);
        if (value != null) {
            buffer.put(value);
        }
        return buffer.array();
    }

    /** Inverse of {@link #toStoreValue()}. */
    static InputRecord fromStoreValue(String topic, int partition, long offset, byte[] stored) {
        ByteBuffer buffer = ByteBuffer.wrap(stored);
        long timestamp = buffer.getLong();
        byte[] key = readBytes(buffer);
        byte[] value = readBytes(buffer);
        return new InputRecord(topic, partition, offset, key, value, timestamp);
    }

    private static byte[] readBytes(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }
}
