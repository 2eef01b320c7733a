package io.visionstream.schemas.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The evolution rules of EVOLUTION.md, checked against a committed "previous" version of each contract
 * (src/test/resources/avro/previous: the current schema without one field that has a default, and for the
 * enums without their newest symbol). Compatibility is shown twice: by Avro's SchemaCompatibility, and by
 * really writing with one version and reading with the other.
 */
class SchemaEvolutionTest {

    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of(SampleRecords.frame(), "metadata"),
                Arguments.of(SampleRecords.prediction(), "segmentation"),
                Arguments.of(SampleRecords.embedding(), "l2Normalized"),
                Arguments.of(SampleRecords.segmentationMask(), "classNames"),
                Arguments.of(SampleRecords.deadLetter(), "errorMessage"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void currentSchemaReadsThePreviousOne(SpecificRecord sample, String newField) {
        Schema current = sample.getSchema();
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, previous(current))
                        .getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void previousSchemaReadsTheCurrentOne(SpecificRecord sample, String newField) {
        Schema current = sample.getSchema();
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(previous(current), current)
                        .getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void oldConsumerReadsNewRecordsWithoutTheNewField(SpecificRecord sample, String newField) throws IOException {
        Schema current = sample.getSchema();
        Schema previous = previous(current);
        GenericRecord seenByOldConsumer = read(write(sample, current, specificModel(sample)), current, previous);

        assertThat(previous.getField(newField)).isNull();
        assertThat(seenByOldConsumer.getSchema()).isEqualTo(previous);
        GenericRecord writtenByNewProducer = GenericData.get().deepCopy(current, toGeneric(sample));
        for (Schema.Field field : previous.getFields()) {
            assertThat(String.valueOf(seenByOldConsumer.get(field.name())))
                    .as(field.name())
                    .isEqualTo(String.valueOf(writtenByNewProducer.get(field.name())));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void newConsumerReadsOldRecordsWithTheNewFieldsDefault(SpecificRecord sample, String newField) throws IOException {
        Schema current = sample.getSchema();
        Schema previous = previous(current);
        GenericRecord oldRecord = read(write(sample, current, specificModel(sample)), current, previous);

        SpecificData model = specificModel(sample);
        Object readByNewConsumer = new SpecificDatumReader<Object>(previous, current, model)
                .read(null, DecoderFactory.get().binaryDecoder(write(oldRecord, previous, GenericData.get()), null));

        SpecificRecord expected = model.deepCopy(current, sample);
        Schema.Field added = current.getField(newField);
        expected.put(added.pos(), model.getDefaultValue(added));
        assertThat(readByNewConsumer).isEqualTo(expected);
    }

    @Test
    void oldConsumerReadsANewEnumSymbolAsTheEnumDefault() throws IOException {
        Frame gray = Frame.newBuilder(SampleRecords.frame())
                .setEncoding(ImageEncoding.RAW_GRAY8)
                .build();
        Schema current = Frame.getClassSchema();
        GenericRecord seen = read(write(gray, current, specificModel(gray)), current, previous(current));
        assertThat(seen.get("encoding")).hasToString("UNKNOWN");

        Prediction overloaded = Prediction.newBuilder(SampleRecords.prediction())
                .setStatus(PredictionStatus.SKIPPED_OVERLOAD)
                .build();
        Schema currentPrediction = Prediction.getClassSchema();
        GenericRecord seenPrediction = read(
                write(overloaded, currentPrediction, specificModel(overloaded)),
                currentPrediction,
                previous(currentPrediction));
        assertThat(seenPrediction.get("status")).hasToString("UNKNOWN");
    }

    @Test
    void aNewFieldWithoutADefaultBreaksBackwardCompatibility() {
        // The negative control: the rule these tests check does catch a violation.
        Schema current = Frame.getClassSchema();
        String withRequiredField = current.toString()
                .replace(
                        "\"fields\":[",
                        "\"fields\":[{\"name\":\"exposureMs\",\"type\":\"double\",\"doc\":\"no default\"},");
        Schema next = new Schema.Parser().parse(withRequiredField);
        var result = SchemaCompatibility.checkReaderWriterCompatibility(next, current);
        assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
        assertThat(result.getResult().getIncompatibilities()).singleElement().satisfies(i -> assertThat(i.getMessage())
                .isEqualTo("exposureMs"));
    }

    static Schema previous(Schema current) {
        String resource = "/avro/previous/" + current.getName() + ".avsc";
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(resource, e);
        }
    }

    private static SpecificData specificModel(SpecificRecord record) {
        return SpecificData.getForClass(record.getClass());
    }

    private static GenericRecord toGeneric(SpecificRecord record) {
        try {
            Schema schema = record.getSchema();
            return read(write(record, schema, specificModel(record)), schema, schema);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static byte[] write(Object record, Schema schema, GenericData model) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        DatumWriter<Object> writer = model instanceof SpecificData specific
                ? (DatumWriter<Object>) specific.createDatumWriter(schema)
                : new GenericDatumWriter<>(schema, model);
        writer.write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static GenericRecord read(byte[] bytes, Schema writer, Schema reader) throws IOException {
        return new GenericDatumReader<GenericRecord>(writer, reader)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }
}
