package io.visionstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.schemas.avro.DeadLetter;
import io.visionstream.schemas.avro.Embedding;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.SampleRecords;
import io.visionstream.schemas.registry.InMemorySchemaRegistry;
import io.visionstream.schemas.registry.RegistryClientConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Serdes over the in-memory {@code mock://} registry. */
class AvroSerdeTest {
    private final String scope = "serde-test-" + UUID.randomUUID();

    @AfterEach
    void forget() {
        InMemorySchemaRegistry.dropScope(scope);
    }

    private Map<String, Object> config(Object... keyValues) {
        Map<String, Object> config = new HashMap<>();
        config.put(RegistryClientConfig.URL, "mock://" + scope);
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put((String) keyValues[i], keyValues[i + 1]);
        }
        return config;
    }

    private InMemorySchemaRegistry registry() {
        return InMemorySchemaRegistry.forScope(scope);
    }

    static Stream<SpecificRecord> samples() {
        return SampleRecords.all().stream();
    }

    @ParameterizedTest
    @MethodSource("samples")
    @SuppressWarnings("unchecked")
    void everyContractRoundTrips(SpecificRecord sample) {
        Serde<SpecificRecord> serde = AvroSerdes.specific((Class<SpecificRecord>) sample.getClass(), config(), false);
        byte[] bytes = serde.serializer().serialize("topic", sample);
        assertThat(serde.deserializer().deserialize("topic", bytes)).isEqualTo(sample);
    }

    @Test
    void valueSchemaIsRegisteredUnderTopicDashValue() {
        byte[] bytes = AvroSerdes.specific(Frame.class, config(), false)
                .serializer()
                .serialize("frames", SampleRecords.frame());
        assertThat(registry().version("frames-value", "latest").schema()).isEqualTo(Frame.getClassSchema());
        assertThat(WireFormat.schemaId("frames", bytes))
                .isEqualTo(registry().version("frames-value", "latest").id());
    }

    @Test
    void keySchemaIsRegisteredUnderTopicDashKey() {
        AvroSerdes.specific(Frame.class, config(), true).serializer().serialize("frames", SampleRecords.frame());
        assertThat(registry().version("frames-key", "1").schema()).isEqualTo(Frame.getClassSchema());
    }

    @Test
    void recordNameStrategyAcceptsConfluentsClassName() {
        Map<String, Object> config = config(
                AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY,
                "io.confluent.kafka.serializers.subject.RecordNameStrategy");
        AvroSerdes.specific(Frame.class, config, false).serializer().serialize("frames", SampleRecords.frame());
        assertThat(registry()
                        .version("io.visionstream.schemas.avro.Frame", "latest")
                        .version())
                .isEqualTo(1);
    }

    @Test
    void topicRecordNameStrategyByShortName() {
        Map<String, Object> config = config(AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY, "TopicRecordNameStrategy");
        AvroSerdes.specific(Frame.class, config, true).serializer().serialize("frames", SampleRecords.frame());
        assertThat(registry()
                        .version("frames-io.visionstream.schemas.avro.Frame", "latest")
                        .version())
                .isEqualTo(1);
    }

    @Test
    void nullIsATombstoneBothWays() {
        Serde<Frame> serde = AvroSerdes.specific(Frame.class, config(), false);
        assertThat(serde.serializer().serialize("frames", null)).isNull();
        assertThat(serde.deserializer().deserialize("frames", null)).isNull();
    }

    @Test
    void genericSerdeReadsSpecificRecordsInTheWriterSchema() {
        byte[] bytes = AvroSerdes.specific(Frame.class, config(), false)
                .serializer()
                .serialize("frames", SampleRecords.frame());
        GenericRecord read = AvroSerdes.generic(config(), false).deserializer().deserialize("frames", bytes);
        assertThat(read.getSchema()).isEqualTo(Frame.getClassSchema());
        assertThat(read.get("sourceId")).hasToString("cam-7");
        assertThat(read.get("captureTime")).isEqualTo(SampleRecords.CAPTURED.toEpochMilli());
    }

    @Test
    void genericSerdeRoundTripsGenericRecords() {
        Schema ping = SchemaBuilder.record("Ping")
                .namespace("test")
                .fields()
                .requiredInt("n")
                .endRecord();
        GenericRecord record = new GenericData.Record(ping);
        record.put("n", 5);
        Serde<GenericRecord> serde = AvroSerdes.generic(config(), false);
        assertThat(serde.deserializer().deserialize("pings", serde.serializer().serialize("pings", record)))
                .isEqualTo(record);
    }

    @Test
    void serdeConfiguredByClassNameReadsTheClassTheWriterSchemaNames() {
        byte[] bytes = AvroSerdes.generic(config(), false).serializer().serialize("frames", genericFrame());
        SpecificAvroSerde<Frame> byName = new SpecificAvroSerde<>();
        byName.configure(config(), false);
        assertThat(byName.deserializer().deserialize("frames", bytes)).isEqualTo(SampleRecords.frame());
    }

    @Test
    void deserializerConfiguredByClassNameHonoursSpecificValueType() {
        byte[] bytes = AvroSerdes.generic(config(), false).serializer().serialize("frames", genericFrame());
        AvroDeserializer<Object> deserializer = new AvroDeserializer<>();
        deserializer.configure(config(AvroDeserializer.SPECIFIC_AVRO_VALUE_TYPE, Frame.class.getName()), false);
        assertThat(deserializer.deserialize("frames", bytes)).isEqualTo(SampleRecords.frame());
    }

    @Test
    void deserializerConfiguredByClassNameIsGenericByDefault() {
        byte[] bytes = AvroSerdes.deadLetter(config()).serializer().serialize("dlq", SampleRecords.deadLetter());
        AvroDeserializer<Object> deserializer = new AvroDeserializer<>();
        deserializer.configure(config(), false);
        assertThat(deserializer.deserialize("dlq", bytes)).isInstanceOf(GenericData.Record.class);
    }

    @Test
    void deadLetterSerdeRoundTrips() {
        Serde<DeadLetter> serde = AvroSerdes.deadLetter(config());
        DeadLetter letter = SampleRecords.deadLetter();
        assertThat(serde.deserializer().deserialize("dlq", serde.serializer().serialize("dlq", letter)))
                .isEqualTo(letter);
        assertThat(registry().version("dlq-value", "latest").schema()).isEqualTo(DeadLetter.getClassSchema());
    }

    @Test
    void unknownSchemaIdIsTypedAndNamesTopicAndId() {
        byte[] bytes = {0, 0, 0, 3, (byte) 0xE7, 0x02};
        assertThatThrownBy(() -> AvroSerdes.specific(Frame.class, config(), false)
                        .deserializer()
                        .deserialize("frames", bytes))
                .isInstanceOf(SerializationException.class)
                .isInstanceOfSatisfying(UnknownSchemaIdException.class, e -> {
                    assertThat(e.topic()).isEqualTo("frames");
                    assertThat(e.schemaId()).hasValue(999);
                })
                .hasMessage("Cannot deserialize a record from topic 'frames': schema id 999 is unknown to the Schema"
                        + " Registry");
    }

    @Test
    void wrongMagicByteIsTypedAndNamesTopic() {
        byte[] json = "{\"sourceId\":\"cam\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThatThrownBy(() -> AvroSerdes.specific(Frame.class, config(), false)
                        .deserializer()
                        .deserialize("frames", json))
                .isInstanceOfSatisfying(WrongMagicByteException.class, e -> {
                    assertThat(e.found()).isEqualTo((byte) '{');
                    assertThat(e.schemaId()).isEmpty();
                })
                .hasMessage(
                        "Cannot deserialize a record from topic 'frames': first byte is 0x7b, not the Confluent wire"
                                + " format's magic byte 0x00 (no schema id can be read; was it written by another serializer?)");
    }

    @Test
    void payloadShorterThanTheHeaderIsTruncated() {
        assertThatThrownBy(() -> AvroSerdes.specific(Frame.class, config(), false)
                        .deserializer()
                        .deserialize("frames", new byte[] {0, 0, 1}))
                .isInstanceOf(TruncatedPayloadException.class)
                .hasMessage(
                        "Cannot deserialize a record from topic 'frames': it is 3 bytes long, shorter than the 5-byte"
                                + " Confluent wire-format header (no schema id)");
    }

    @Test
    void bodyCutShortIsTruncatedAndNamesTopicAndId() {
        Serde<Frame> serde = AvroSerdes.specific(Frame.class, config(), false);
        byte[] bytes = serde.serializer().serialize("frames", SampleRecords.frame());
        byte[] cut = Arrays.copyOf(bytes, 12);
        assertThatThrownBy(() -> serde.deserializer().deserialize("frames", cut))
                .isInstanceOfSatisfying(TruncatedPayloadException.class, e -> assertThat(e.schemaId())
                        .hasValue(1))
                .hasMessage("Topic 'frames', schema id 1: the Avro body (7 bytes after the header) ends before the"
                        + " record is complete");
    }

    @Test
    void garbageBodyIsMalformed() {
        Serde<Frame> serde = AvroSerdes.specific(Frame.class, config(), false);
        serde.serializer().serialize("frames", SampleRecords.frame());
        byte[] negativeLength = {0, 0, 0, 0, 1, 0x01};
        assertThatThrownBy(() -> serde.deserializer().deserialize("frames", negativeLength))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageStartingWith("Topic 'frames', schema id 1: the Avro body is not a valid encoding under the"
                        + " writer schema: ");
    }

    @Test
    void aBytesFieldClaimingAGibibyteIsRefusedBeforeAnythingIsAllocated() throws IOException {
        Serde<Frame> serde = AvroSerdes.specific(Frame.class, config(), false);
        serde.serializer().serialize("frames", SampleRecords.frame());
        // A Frame body whose image length prefix claims 1 GiB, with no image bytes behind it: plain Avro
        // would allocate the gibibyte before noticing, and a few such records exhaust the heap.
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder out =
                org.apache.avro.io.EncoderFactory.get().binaryEncoder(body, null);
        out.writeString("cam-1");
        out.writeLong(7); // sequence
        out.writeLong(1_700_000_000_000L); // captureTime
        out.writeEnum(1); // JPEG
        out.writeInt(640);
        out.writeInt(480);
        out.writeLong(1L << 30); // image: the length prefix only
        out.flush();
        byte[] payload = new byte[5 + body.size()];
        payload[4] = 1; // magic 0, schema id 1
        System.arraycopy(body.toByteArray(), 0, payload, 5, body.size());

        assertThatThrownBy(() -> serde.deserializer().deserialize("frames", payload))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("bytes field declares a length of 1073741824 bytes in a body of " + body.size());
    }

    @Test
    void bytesLeftOverAfterTheRecordAreMalformed() {
        Serde<Frame> serde = AvroSerdes.specific(Frame.class, config(), false);
        byte[] bytes = serde.serializer().serialize("frames", SampleRecords.frame());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);
        assertThatThrownBy(() -> serde.deserializer().deserialize("frames", longer))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage("Topic 'frames', schema id 1: bytes are left over after the record (" + (longer.length - 5)
                        + " bytes after the header); the writer used another schema");
    }

    @Test
    void writerSchemaTheReaderCannotResolveIsIncompatible() {
        // Same full name, but without 'dimension', which the reader needs and has no default for.
        Schema older = SchemaBuilder.record("Embedding")
                .namespace("io.visionstream.schemas.avro")
                .fields()
                .requiredString("sourceId")
                .endRecord();
        GenericRecord record = new GenericData.Record(older);
        record.put("sourceId", "cam");
        byte[] bytes = AvroSerdes.generic(config(), false).serializer().serialize("embeddings", record);
        assertThatThrownBy(() -> AvroSerdes.specific(Embedding.class, config(), false)
                        .deserializer()
                        .deserialize("embeddings", bytes))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                    assertThat(e.topic()).isEqualTo("embeddings");
                    assertThat(e.schemaId()).hasValue(1);
                })
                .hasMessageStartingWith(
                        "Topic 'embeddings', schema id 1: writer schema io.visionstream.schemas.avro.Embedding"
                                + " cannot be resolved into reader io.visionstream.schemas.avro.Embedding: "
                                + "[READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1: sequence");
    }

    @Test
    void registryRefusingAnIncompatibleSchemaIsTyped() {
        Schema older = SchemaBuilder.record("Frame")
                .namespace("io.visionstream.schemas.avro")
                .fields()
                .requiredString("sourceId")
                .endRecord();
        registry().register("frames-value", older);
        assertThatThrownBy(() -> AvroSerdes.specific(Frame.class, config(), false)
                        .serializer()
                        .serialize("frames", SampleRecords.frame()))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> assertThat(e.schemaId())
                        .isEmpty())
                .hasMessageStartingWith(
                        "Topic 'frames': could not register schema io.visionstream.schemas.avro.Frame under"
                                + " subject 'frames-value': Schema Registry refused POST /subjects/frames-value/versions: HTTP"
                                + " 409, error_code 409: Schema being registered is incompatible");
    }

    @Test
    void withoutAutoRegisterAnUnregisteredSchemaIsRejectedNamingTheSubject() {
        Map<String, Object> config = config(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false");
        assertThatThrownBy(() -> AvroSerdes.specific(Frame.class, config, false)
                        .serializer()
                        .serialize("frames", SampleRecords.frame()))
                .isInstanceOf(RegistryRejectedException.class)
                .hasMessage("Topic 'frames': could not find schema io.visionstream.schemas.avro.Frame under subject"
                        + " 'frames-value' (auto.register.schemas is false): Schema Registry refused POST"
                        + " /subjects/frames-value: HTTP 404, error_code 40401: Subject 'frames-value' not found.");
    }

    @Test
    void withoutAutoRegisterARegisteredSchemaIsFound() {
        int id = registry().register("frames-value", Frame.getClassSchema());
        Map<String, Object> config = config(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false);
        byte[] bytes =
                AvroSerdes.specific(Frame.class, config, false).serializer().serialize("frames", SampleRecords.frame());
        assertThat(WireFormat.schemaId("frames", bytes)).isEqualTo(id);
    }

    @Test
    void useLatestVersionWritesWithTheSubjectsLatestSchema() throws IOException {
        Schema previousFrame = previous("Frame");
        int previousId = registry().register("frames-value", previousFrame);
        Map<String, Object> config =
                config(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false", AvroSerdeConfig.USE_LATEST_VERSION, "true");
        Serde<Frame> serde = AvroSerdes.specific(Frame.class, config, false);

        byte[] bytes = serde.serializer().serialize("frames", SampleRecords.frame());

        assertThat(WireFormat.schemaId("frames", bytes)).isEqualTo(previousId);
        Frame expected =
                Frame.newBuilder(SampleRecords.frame()).setMetadata(null).build();
        assertThat(serde.deserializer().deserialize("frames", bytes)).isEqualTo(expected);
    }

    @Test
    void useLatestVersionRefusesALatestSchemaThatCannotReadTheRecord() {
        Schema needsExposure = SchemaBuilder.record("Frame")
                .namespace("io.visionstream.schemas.avro")
                .fields()
                .requiredDouble("exposureMs")
                .endRecord();
        registry().register("frames-value", needsExposure);
        Map<String, Object> config =
                config(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false", AvroSerdeConfig.USE_LATEST_VERSION, "true");
        assertThatThrownBy(() -> AvroSerdes.specific(Frame.class, config, false)
                        .serializer()
                        .serialize("frames", SampleRecords.frame()))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageStartingWith(
                        "Topic 'frames', schema id 1: use.latest.version: the latest schema (version 1 of"
                                + " subject 'frames-value') cannot read a record of io.visionstream.schemas.avro.Frame: "
                                + "[READER_FIELD_MISSING_DEFAULT_VALUE");
    }

    private static AvroSerializer<Frame> frameSerializer(Map<String, Object> config) {
        AvroSerializer<Frame> serializer = new AvroSerializer<>();
        serializer.configure(config, false);
        return serializer;
    }

    @Test
    void schemaIdForRegistersAsTheFirstRecordWouldAndTheRecordsUseThatId() {
        AvroSerializer<Frame> serializer = frameSerializer(config());

        int id = serializer.schemaIdFor("frames", Frame.getClassSchema());

        assertThat(registry().subjects()).containsExactly("frames-value");
        assertThat(WireFormat.schemaId("frames", serializer.serialize("frames", SampleRecords.frame())))
                .isEqualTo(id);
    }

    @Test
    void schemaIdForWithoutAutoRegisterFindsARegisteredSchemaAndRejectsAMissingOne() {
        AvroSerializer<Frame> serializer = frameSerializer(config(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false"));
        assertThatThrownBy(() -> serializer.schemaIdFor("frames", Frame.getClassSchema()))
                .isInstanceOf(RegistryRejectedException.class)
                .hasMessageContaining("could not find schema io.visionstream.schemas.avro.Frame under subject"
                        + " 'frames-value' (auto.register.schemas is false)");

        int id = registry().register("frames-value", Frame.getClassSchema());

        assertThat(serializer.schemaIdFor("frames", Frame.getClassSchema())).isEqualTo(id);
    }

    @Test
    void schemaIdForWithUseLatestVersionGivesTheLatestOnlyWhenItCanReadTheSchema() throws IOException {
        Map<String, Object> config =
                config(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false", AvroSerdeConfig.USE_LATEST_VERSION, "true");
        int previousId = registry().register("frames-value", previous("Frame"));
        assertThat(frameSerializer(config).schemaIdFor("frames", Frame.getClassSchema()))
                .isEqualTo(previousId);

        registry()
                .register(
                        "thermal-value",
                        SchemaBuilder.record("Frame")
                                .namespace("io.visionstream.schemas.avro")
                                .fields()
                                .requiredDouble("exposureMs")
                                .endRecord());
        assertThatThrownBy(() -> frameSerializer(config).schemaIdFor("thermal", Frame.getClassSchema()))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("cannot read a record of io.visionstream.schemas.avro.Frame");
    }

    @Test
    void recordBreakingItsSchemaIsMalformed() {
        Frame broken = new Frame(); // every field null, including the non-null ones
        assertThatThrownBy(() -> AvroSerdes.specific(Frame.class, config(), false)
                        .serializer()
                        .serialize("frames", broken))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageStartingWith(
                        "Topic 'frames', schema id 1: record of io.visionstream.schemas.avro.Frame does not"
                                + " fit schema io.visionstream.schemas.avro.Frame: ");
    }

    @Test
    void unreachableRegistryIsNotTheRecordsFault() throws IOException {
        int deadPort;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = socket.getLocalPort();
        }
        Map<String, Object> config =
                Map.of(RegistryClientConfig.URL, "http://127.0.0.1:" + deadPort, RegistryClientConfig.MAX_RETRIES, "0");
        byte[] bytes = {0, 0, 0, 0, 1, 0};
        assertThatThrownBy(() -> AvroSerdes.specific(Frame.class, config, false)
                        .deserializer()
                        .deserialize("frames", bytes))
                .isInstanceOf(RegistryUnreachableException.class)
                .hasMessageStartingWith(
                        "Topic 'frames', schema id 1: could not fetch the writer schema: Schema Registry"
                                + " [http://127.0.0.1:" + deadPort
                                + "] did not answer GET /schemas/ids/1 after 1 attempts");
    }

    private GenericRecord genericFrame() {
        Frame frame = SampleRecords.frame();
        GenericRecord record = new GenericData.Record(Frame.getClassSchema());
        for (Schema.Field field : Frame.getClassSchema().getFields()) {
            record.put(field.pos(), frame.get(field.pos()));
        }
        record.put("captureTime", frame.getCaptureTime().toEpochMilli());
        record.put(
                "encoding",
                new GenericData.EnumSymbol(
                        Frame.getClassSchema().getField("encoding").schema(),
                        frame.getEncoding().name()));
        return record;
    }

    private static Schema previous(String name) throws IOException {
        try (InputStream in = AvroSerdeTest.class.getResourceAsStream("/avro/previous/" + name + ".avsc")) {
            return new Schema.Parser().parse(in);
        }
    }
}
