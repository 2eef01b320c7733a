package io.visionstream.app.verify;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the verifier found.
 *
 * @param sources per source id (the input record's key; {@code "(null key)"} for records without one)
 * @param inputs input records read
 * @param predictions prediction records read
 * @param deadLetters dead-letter records read
 * @param strays outcomes whose input record was not among the inputs read (e.g. from another topic)
 * @param missingOffsets per input partition ({@code "topic/partition"}), the offsets of its records with no
 *     outcome, ascending; partitions with none are absent
 */
public record Verification(
        Map<String, SourceCount> sources,
        long inputs,
        long predictions,
        long deadLetters,
        long strays,
        Map<String, List<Long>> missingOffsets) {

    public Verification {
        sources = Map.copyOf(sources);
        Map<String, List<Long>> copy = new java.util.TreeMap<>();
        missingOffsets.forEach((partition, offsets) -> copy.put(partition, List.copyOf(offsets)));
        missingOffsets = java.util.Collections.unmodifiableMap(copy);
    }

    /**
     * One source's account.
     *
     * @param produced input records
     * @param outcomes outcomes of those records (predictions and dead letters), duplicates included
     * @param missing input records with no outcome
     * @param duplicated extra outcomes beyond the first for an input record
     * @param outOfOrder predictions of this source that came after a prediction of a later input record
     */
    public record SourceCount(long produced, long outcomes, long missing, long duplicated, long outOfOrder) {}

    /** Totals over all sources. */
    public SourceCount total() {
        long produced = 0;
        long outcomes = 0;
        long missing = 0;
        long duplicated = 0;
        long outOfOrder = 0;
        for (SourceCount c : sources.values()) {
            produced += c.produced();
            outcomes += c.outcomes();
            missing += c.missing();
            duplicated += c.duplicated();
            outOfOrder += c.outOfOrder();
        }
        return new SourceCount(produced, outcomes, missing, duplicated, outOfOrder);
    }

    /** No input without an outcome, none with two, nothing out of order, no stray outcome. */
    public boolean clean() {
        SourceCount t = total();
        return t.missing() == 0 && t.duplicated() == 0 && t.outOfOrder() == 0 && strays == 0;
    }

    /** A table per source and the totals, for people. */
    public List<String> lines() {
        List<String> out = new java.util.ArrayList<>();
        out.add(String.format(
                Locale.ROOT,
                "%-24s %10s %10s %8s %10s %12s",
                "source",
                "produced",
                "outcomes",
                "missing",
                "duplicated",
                "out of order"));
        new java.util.TreeMap<>(sources).forEach((source, c) -> out.add(row(source, c)));
        out.add(row("TOTAL", total()));
        missingOffsets.forEach((partition, offsets) -> out.add(missingLine(partition, offsets)));
        out.add(String.format(
                Locale.ROOT,
                "inputs %d, predictions %d, dead letters %d, stray outcomes %d: %s",
                inputs,
                predictions,
                deadLetters,
                strays,
                clean() ? "CLEAN" : "NOT CLEAN"));
        return out;
    }

    /** The offsets shown per partition at most; the count says how many there are. */
    static final int MISSING_SHOWN = 20;

    /** E.g. "no outcome for frames/0 at offsets 4, 9 (2 records)", the first {@link #MISSING_SHOWN} offsets. */
    private static String missingLine(String partition, List<Long> offsets) {
        StringBuilder line =
                new StringBuilder("no outcome for ").append(partition).append(" at offsets ");
        for (int i = 0; i < Math.min(offsets.size(), MISSING_SHOWN); i++) {
            line.append(i == 0 ? "" : ", ").append(offsets.get(i));
        }
        if (offsets.size() > MISSING_SHOWN) {
            line.append(", ...");
        }
        return line.append(" (")
                .append(offsets.size())
                .append(offsets.size() == 1 ? " record)" : " records)")
                .toString();
    }

    private static String row(String source, SourceCount c) {
        return String.format(
                Locale.ROOT,
                "%-24s %10d %10d %8d %10d %12d",
                source,
                c.produced(),
                c.outcomes(),
                c.missing(),
                c.duplicated(),
                c.outOfOrder());
    }
}
