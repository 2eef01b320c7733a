package io.visionstream.schemas.serde;

/**
 * The Confluent wire format: byte 0 is the magic byte {@code 0x00}, bytes 1 to 4 the schema id as a
 * big-endian int, the rest the Avro binary encoding of the record (no container-file header).
 */
public final class WireFormat {
    /** The only magic byte defined. */
    public static final byte MAGIC_BYTE = 0;
    /** Length of the magic byte plus the schema id. */
    public static final int HEADER_SIZE = 5;

    private WireFormat() {}

    /** Writes the 5-byte header for {@code schemaId} at the start of {@code target}. */
    static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }

    /**
     * Reads the schema id from the header of {@code data}.
     *
     * @throws WrongMagicByteException when the first byte is not {@link #MAGIC_BYTE}
     * @throws TruncatedPayloadException when {@code data} is shorter than the header
     */
    public static int schemaId(String topic, byte[] data) {
        if (data.length > 0 && data[0] != MAGIC_BYTE) {
            throw new WrongMagicByteException(topic, data[0]);
        }
        if (data.length < HEADER_SIZE) {
            throw new TruncatedPayloadException(
                    topic,
                    null,
                    "Cannot deserialize a record from topic '" + topic + "': it is " + data.length
                            + " bytes long, shorter than the 5-byte Confluent wire-format header (no schema id)",
                    null);
        }
        return ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
    }
}
