package io.visionstream.topology.config;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

/** Decides which settings are secret, and renders settings with those values masked. */
public final class Secrets {

    static final String MASK = "[hidden]";

    /** Every setting Kafka's clients and Kafka Streams define as a password, which they print as [hidden]. */
    private static final Set<String> KAFKA_PASSWORDS = kafkaPasswords();

    /** The {@code user:password@} of a URL. */
    private static final Pattern URL_USER_INFO = Pattern.compile("://[^/@\\s,]*@");

    private Secrets() {}

    private static Set<String> kafkaPasswords() {
        Set<String> keys = new TreeSet<>();
        for (ConfigDef def : new ConfigDef[] {
            ProducerConfig.configDef(),
            ConsumerConfig.configDef(),
            AdminClientConfig.configDef(),
            StreamsConfig.configDef()
        }) {
            def.configKeys().values().stream()
                    .filter(k -> k.type == ConfigDef.Type.PASSWORD)
                    .forEach(k -> keys.add(k.name));
        }
        return Set.copyOf(keys);
    }

    /**
     * Whether a setting's value must never be printed: passwords, passphrases, keys, tokens, JAAS configs
     * (which embed passwords), the schema registry's {@code user:password}, and every setting Kafka's
     * clients define as a password, also under a prefix such as {@code producer.}.
     */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password")
                || k.contains("passphrase")
                || k.contains("secret")
                || k.endsWith("jaas.config")
                || k.endsWith("user.info")
                || k.endsWith(".key")
                || k.contains("token")
                || KAFKA_PASSWORDS.stream().anyMatch(p -> k.equals(p) || k.endsWith("." + p));
    }

    /**
     * A sorted copy of {@code settings} with every secret value replaced by {@value #MASK}, and the user
     * info of any URL in the other values too ({@code http://user:password@host} becomes {@code
     * http://[hidden]@host}).
     */
    public static Map<String, String> masked(Map<String, String> settings) {
        Map<String, String> out = new TreeMap<>();
        settings.forEach((k, v) -> out.put(k, isSecret(k) ? MASK : withoutUserInfo(v)));
        return out;
    }

    /** {@code text} with the user info of every URL in it masked. */
    public static String withoutUserInfo(String value) {
        return value == null
                ? null
                : URL_USER_INFO.matcher(value).replaceAll(Matcher.quoteReplacement("://" + MASK + "@"));
    }
}
