package io.visionstream.topology.config;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Decides which settings are secret, and renders settings with those values masked. */
public final class Secrets {

    static final String MASK = "[hidden]";

    private Secrets() {}

    /**
     * Whether a setting's value must never be printed: passwords, keys, JAAS configs (which embed
     * passwords) and the schema registry's {@code user:password}.
     */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password")
                || k.contains("secret")
                || k.endsWith("jaas.config")
                || k.endsWith("user.info")
                || k.endsWith(".key")
                || k.contains("token");
    }

    /** A sorted copy of {@code settings} with every secret value replaced by {@value #MASK}. */
    public static Map<String, String> masked(Map<String, String> settings) {
        Map<String, String> out = new TreeMap<>();
        settings.forEach((k, v) -> out.put(k, isSecret(k) ? MASK : v));
        return out;
    }
}
