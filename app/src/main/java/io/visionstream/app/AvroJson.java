package io.visionstream.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/** Renders Avro values as plain JSON for people and tools: bytes as base64, enums as their symbol. */
final class AvroJson {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private AvroJson() {}

    static JsonNode toJson(Object value) {
        if (value == null) {
            return JSON.nullNode();
        }
        if (value instanceof GenericRecord record) {
            ObjectNode node = JSON.objectNode();
            for (Schema.Field field : record.getSchema().getFields()) {
                node.set(field.name(), toJson(record.get(field.pos())));
            }
            return node;
        }
        if (value instanceof ByteBuffer bytes) {
            ByteBuffer copy = bytes.duplicate();
            byte[] raw = new byte[copy.remaining()];
            copy.get(raw);
            return JSON.textNode(Base64.getEncoder().encodeToString(raw));
        }
        if (value instanceof GenericFixed fixed) {
            return JSON.textNode(Base64.getEncoder().encodeToString(fixed.bytes()));
        }
        if (value instanceof GenericEnumSymbol<?> || value instanceof CharSequence) {
            return JSON.textNode(value.toString());
        }
        if (value instanceof Collection<?> items) {
            ArrayNode array = JSON.arrayNode();
            items.forEach(item -> array.add(toJson(item)));
            return array;
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode node = JSON.objectNode();
            map.forEach((k, v) -> node.set(k.toString(), toJson(v)));
            return node;
        }
        if (value instanceof Integer i) {
            return JSON.numberNode(i);
        }
        if (value instanceof Long l) {
            return JSON.numberNode(l);
        }
        if (value instanceof Float f) {
            return JSON.numberNode(f);
        }
        if (value instanceof Double d) {
            return JSON.numberNode(d);
        }
        if (value instanceof Boolean b) {
            return JSON.booleanNode(b);
        }
        return JSON.textNode(value.toString());
    }
}
