package io.visionstream.processor;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations as people write them: {@code 90s}, {@code 5m}, {@code 1h}, {@code 500ms}, or ISO {@code PT1M}. */
public final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("pt")) {
                return Duration.parse(value.trim());
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            }
            if (v.endsWith("m")) {
                return Duration.ofSeconds(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60));
            }
            if (v.endsWith("h")) {
                return Duration.ofMinutes(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60));
            }
            if (v.equals("0")) {
                return Duration.ZERO;
            }
        } catch (RuntimeException e) {
            throw new TypeConversionException("'" + value + "' is not a duration such as 90s, 5m, 1h or 500ms");
        }
        throw new TypeConversionException("'" + value + "' is not a duration such as 90s, 5m, 1h or 500ms");
    }
}
