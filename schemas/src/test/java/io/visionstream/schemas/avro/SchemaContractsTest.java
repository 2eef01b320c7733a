package io.visionstream.schemas.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaContractsTest {

    static Stream<SpecificRecord> samples() {
        return SampleRecords.all().stream();
    }

    static Stream<Schema> contracts() {
        return Stream.of(
                Frame.getClassSchema(),
                Prediction.getClassSchema(),
                Embedding.getClassSchema(),
                SegmentationMask.getClassSchema(),
                DeadLetter.getClassSchema());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyContractRoundTripsThroughAvroBinary(SpecificRecord sample) throws IOException {
        assertThat(decode(sample.getClass(), encode(sample))).isEqualTo(sample);
    }

    @ParameterizedTest
    @MethodSource("contracts")
    void everyRecordEnumAndFieldHasADoc(Schema contract) {
        assertThat(undocumented(contract)).isEmpty();
    }

    @Test
    void everyEnumHasADefaultSoNewSymbolsDoNotBreakOldReaders() {
        List<Schema> named = new ArrayList<>();
        contracts().forEach(c -> collect(c, new IdentityHashMap<>(), named));
        List<Schema> enums =
                named.stream().filter(s -> s.getType() == Schema.Type.ENUM).toList();
        assertThat(enums)
                .extracting(Schema::getName)
                .containsExactly("ImageEncoding", "PredictionStatus", "FailureStage");
        assertThat(enums).allSatisfy(e -> assertThat(e.getEnumDefault()).isEqualTo("UNKNOWN"));
    }

    @Test
    void optionalFieldsDefaultToNull() {
        Frame frame = Frame.newBuilder()
                .setSourceId("cam")
                .setSequence(0)
                .setCaptureTime(SampleRecords.CAPTURED)
                .setEncoding(ImageEncoding.JPEG)
                .setWidth(1)
                .setHeight(1)
                .setImage(java.nio.ByteBuffer.wrap(new byte[0]))
                .build();
        assertThat(frame.getMetadata()).isNull();
        assertThat(Prediction.getClassSchema().getField("segmentation").defaultVal())
                .isEqualTo(org.apache.avro.JsonProperties.NULL_VALUE);
    }

    @Test
    void contractsLiveInOneNamespace() {
        assertThat(contracts().map(Schema::getNamespace)).containsOnly("io.visionstream.schemas.avro");
    }

    /** Paths of records, enums and fields that lack a doc. */
    private static List<String> undocumented(Schema root) {
        List<String> missing = new ArrayList<>();
        List<Schema> named = new ArrayList<>();
        collect(root, new IdentityHashMap<>(), named);
        for (Schema s : named) {
            if (blank(s.getDoc())) {
                missing.add(s.getFullName());
            }
            if (s.getType() == Schema.Type.RECORD) {
                for (Schema.Field f : s.getFields()) {
                    if (blank(f.doc())) {
                        missing.add(s.getFullName() + "." + f.name());
                    }
                }
            }
        }
        return missing;
    }

    private static void collect(Schema s, Map<Schema, Boolean> seen, List<Schema> out) {
        if (seen.put(s, true) != null) {
            return;
        }
        switch (s.getType()) {
            case RECORD -> {
                out.add(s);
                s.getFields().forEach(f -> collect(f.schema(), seen, out));
            }
            case ENUM -> out.add(s);
            case ARRAY -> collect(s.getElementType(), seen, out);
            case MAP -> collect(s.getValueType(), seen, out);
            case UNION -> s.getTypes().forEach(t -> collect(t, seen, out));
            default -> {}
        }
    }

    private static boolean blank(String doc) {
        return doc == null || doc.isBlank();
    }

    @SuppressWarnings("unchecked")
    private static byte[] encode(SpecificRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>((Class<SpecificRecord>) record.getClass()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static Object decode(Class<?> type, byte[] bytes) throws IOException {
        SpecificData model = SpecificData.getForClass(type);
        Schema schema = model.getSchema(type);
        return new SpecificDatumReader<>(schema, schema, model)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }
}
