package io.visionstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.schemas.avro.Embedding;
import io.visionstream.schemas.registry.RegistryClientConfig;
import io.visionstream.schemas.registry.RegistryFixture;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bytes on the wire, against an array built by hand from the Confluent and Avro specifications. */
class WireFormatTest {
    /** An id whose four bytes differ, so that byte order shows. */
    private static final int SCHEMA_ID = 0x01020304;

    private static final byte[] EXPECTED = {
        0x00, // magic byte
        0x01,
        0x02,
        0x03,
        0x04, // schema id, big-endian
        0x06,
        'c',
        'a',
        'm', // sourceId: length 3 (zig-zag 6), UTF-8
        0x02, // sequence 1 (zig-zag 2)
        (byte) 0xD0,
        0x0F, // captureTime 1000 ms: zig-zag 2000 as a varint
        0x02,
        'm', // modelName "m"
        0x02,
        'v', // modelVersion "v"
        0x04, // dimension 2
        0x04, // vector: one block of 2 items
        0x00,
        0x00,
        (byte) 0x80,
        0x3F, // 1.0f, little-endian IEEE 754
        0x00,
        0x00,
        0x00,
        0x3F, // 0.5f
        0x00, // end of array
        0x01 // l2Normalized true
    };

    private static final Embedding RECORD = Embedding.newBuilder()
            .setSourceId("cam")
            .setSequence(1)
            .setCaptureTime(Instant.ofEpochMilli(1000))
            .setModelName("m")
            .setModelVersion("v")
            .setDimension(2)
            .setVector(List.of(1.0f, 0.5f))
            .setL2Normalized(true)
            .build();

    private RegistryFixture registry;
    private Serde<Embedding> serde;

    @BeforeEach
    void start() throws IOException {
        registry = RegistryFixture.start(SCHEMA_ID);
        serde = AvroSerdes.specific(Embedding.class, Map.of(RegistryClientConfig.URL, registry.url()), false);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void serializerWritesMagicByteBigEndianIdAndAvroBinary() {
        assertThat(serde.serializer().serialize("embeddings", RECORD)).containsExactly(EXPECTED);
    }

    @Test
    void deserializerReadsHandBuiltBytes() {
        registry.preRegister("embeddings-value", Embedding.getClassSchema().toString());
        assertThat(serde.deserializer().deserialize("embeddings", EXPECTED)).isEqualTo(RECORD);
    }

    @Test
    void schemaIdIsReadBigEndian() {
        assertThat(WireFormat.schemaId("t", new byte[] {0, (byte) 0x80, 0, 0, 0x01}))
                .isEqualTo(0x80000001);
    }
}
