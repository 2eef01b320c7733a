package io.visionstream.schemas.registry;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/** Avro's schema-resolution rules, as readable reasons. */
public final class AvroCompatibility {
    private AvroCompatibility() {}

    /**
     * Why data written with {@code writer} cannot be read with {@code reader}, one line per problem ({@code
     * TYPE at /json/pointer: detail}); empty when it can.
     */
    public static List<String> readProblems(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer)
                .getResult()
                .getIncompatibilities()
                .stream()
                .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                .toList();
    }
}
