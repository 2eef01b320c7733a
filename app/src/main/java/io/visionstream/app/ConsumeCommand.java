package io.visionstream.app;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.visionstream.processor.DurationConverter;
import io.visionstream.processor.SettingsOptions;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.topology.config.ClientSettings;
import io.visionstream.topology.topics.FrameSizing;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints output topics as JSON lines: one object per record with topic, partition, offset, key, value. */
@Command(
        name = "consume",
        mixinStandardHelpOptions = true,
        description = {
            "Print records of the processor's topics as JSON lines (committed records only).",
            "Needs bootstrap.servers and schema.registry.url (--set, --config or VISION_* variables)."
        })
final class ConsumeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SettingsOptions settings = new SettingsOptions();

    @Option(names = "--topic", description = "Topics to read (default: the predictions topic). Repeat for several.")
    List<String> topics = new ArrayList<>();

    @Option(names = "--from-beginning", description = "Start at the earliest offset instead of the latest.")
    boolean fromBeginning;

    @Option(names = "--max", defaultValue = "0", description = "Stop after this many records; 0 = no limit.")
    long max;

    @Option(
            names = "--idle",
            defaultValue = "PT0S",
            converter = DurationConverter.class,
            description = "Stop after this long without a record, e.g. 10s; 0 = never (default).")
    Duration idle;

    @Override
    public Integer call() {
        ClientSettings client = ClientSettings.from(settings.settings());
        List<String> read = topics.isEmpty() ? List.of(client.topics().predictions()) : topics;
        Map<String, Object> extra = new HashMap<>(new FrameSizing(client.maxFrameBytes()).consumerOverrides());
        extra.put(ConsumerConfig.GROUP_ID_CONFIG, "vision-consume-" + UUID.randomUUID());
        extra.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        extra.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        extra.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Deserializer<GenericRecord> values =
                AvroSerdes.generic(client.schemaRegistry(), false).deserializer();
        PrintWriter out = spec.commandLine().getOut();
        long printed = 0;
        try (var consumer = new KafkaConsumer<>(
                client.clientProperties(extra), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(read);
            long lastRecord = System.nanoTime();
            while (max == 0 || printed < max) {
                var records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    if (!idle.isZero() && System.nanoTime() - lastRecord > idle.toNanos()) {
                        break;
                    }
                    continue;
                }
                lastRecord = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    out.println(line(r, values));
                    if (++printed == max) {
                        break;
                    }
                }
                out.flush();
            }
        }
        out.flush();
        return 0;
    }

    private static ObjectNode line(ConsumerRecord<byte[], byte[]> r, Deserializer<GenericRecord> values) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("topic", r.topic());
        node.put("partition", r.partition());
        node.put("offset", r.offset());
        node.put("timestamp", r.timestamp());
        node.put("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
        node.set("value", AvroJson.toJson(values.deserialize(r.topic(), r.value())));
        return node;
    }
}
