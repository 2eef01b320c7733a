package io.visionstream.schemas.serde;

/** The record's first byte is not the Confluent wire format's magic byte {@code 0}. */
public class WrongMagicByteException extends SerializationFailure {
    private final byte found;

    public WrongMagicByteException(String topic, byte found) {
        super(
                topic,
                null,
                String.format(
                        "Cannot deserialize a record from topic '%s': first byte is 0x%02x, not the Confluent wire"
                                + " format's magic byte 0x00 (no schema id can be read; was it written by another serializer?)",
                        topic, found & 0xff),
                null);
        this.found = found;
    }

    /** The first byte that was found. */
    public byte found() {
        return found;
    }
}
