package io.visionstream.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * A subject's compatibility rule, as the Confluent Schema Registry names them: which earlier versions a new
 * schema is checked against (the latest, or every one for the {@code _TRANSITIVE} levels) and in which
 * direction (BACKWARD: the new schema reads data written with the earlier one; FORWARD: the earlier one
 * reads data written with the new one; FULL: both).
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean newReadsOld;
    private final boolean oldReadsNew;
    private final boolean transitive;

    CompatibilityLevel(boolean newReadsOld, boolean oldReadsNew, boolean transitive) {
        this.newReadsOld = newReadsOld;
        this.oldReadsNew = oldReadsNew;
        this.transitive = transitive;
    }

    /** The level called {@code name}, in any letter case; empty for null or an unknown name. */
    public static Optional<CompatibilityLevel> forName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        for (CompatibilityLevel level : values()) {
            if (level.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
                return Optional.of(level);
            }
        }
        return Optional.empty();
    }

    /**
     * Why {@code candidate} breaks this rule against a subject's live versions, one line per problem; empty
     * when it may be registered.
     *
     * @param earlier the subject's versions that are not deleted, oldest first; may be empty
     */
    public List<String> problems(Schema candidate, List<Schema> earlier) {
        List<Schema> checked =
                transitive || earlier.isEmpty() ? earlier : earlier.subList(earlier.size() - 1, earlier.size());
        List<String> problems = new ArrayList<>();
        for (Schema old : checked) {
            if (newReadsOld) {
                problems.addAll(AvroCompatibility.readProblems(candidate, old));
            }
            if (oldReadsNew) {
                problems.addAll(AvroCompatibility.readProblems(old, candidate));
            }
        }
        return problems;
    }
}
