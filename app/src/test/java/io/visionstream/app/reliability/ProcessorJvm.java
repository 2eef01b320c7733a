package io.visionstream.app.reliability;

import io.visionstream.app.VisionApp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One processor in a JVM of its own, started as a deployment starts it: {@code java -cp <this JVM's class
 * path> io.visionstream.app.VisionApp run --set key=value ...}. Its stdout and stderr go to one
 * log file, whose tail failures quote. {@link #kill()} is {@code Process.destroyForcibly()}: SIGKILL on
 * Linux, so no shutdown hook, no close, no last commit.
 *
 * <p>A JVM still alive when the test JVM exits normally is killed by a shutdown hook, so a failed test
 * does not leave processors running. Not thread-safe.
 */
final class ProcessorJvm implements AutoCloseable {

    /** What {@code ProcessorInstance} logs once Kafka Streams has its tasks restored and is processing. */
    static final String RUNNING_LINE = "Kafka Streams REBALANCING -> RUNNING";

    /** Exit status of a process killed by signal 9, as Java reports it. */
    static final int SIGKILL_STATUS = 128 + 9;

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill-processor-jvms"));
    }

    private final String name;
    private final Process process;
    private final Path log;

    private ProcessorJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code vision run} with {@code settings} as {@code --set} options. {@code VISION_*}
     * variables of this environment are not passed on, so only {@code settings} configure it.
     *
     * @param name names the log file ({@code logDir/name.log}); tests also use it as the instance's
     *     {@code client.id}
     */
    static ProcessorJvm start(String name, Map<String, String> settings, Path logDir) throws IOException {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx384m");
        command.add("-XX:+UseSerialGC");
        command.add("-Dai.djl.offline=true");
        command.add("-Doffline=true");
        command.add("-cp");
        // Under failsafe this is a manifest-only jar whose Class-Path names the test's whole class path.
        command.add(System.getProperty("java.class.path"));
        command.add(VisionApp.class.getName());
        command.add("run");
        settings.forEach((key, value) -> {
            command.add("--set");
            command.add(key + "=" + value);
        });
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().keySet().removeIf(key -> key.startsWith("VISION_"));
        Process process = builder.start();
        LIVE.add(process);
        return new ProcessorJvm(name, process, log);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    /**
     * Waits until the log holds {@code line} at least {@code times} times.
     *
     * @throws AssertionError with the log's tail if the JVM exits first or time runs out
     */
    void awaitLogLine(String line, int times, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (count(line) >= times) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with status " + process.exitValue() + " before logging '"
                        + line + "' " + times + " time(s)\n" + logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not log '" + line + "' " + times + " time(s) within " + timeout
                        + "\n" + logTail());
            }
            Thread.sleep(200);
        }
    }

    private long count(String line) {
        return readLog().lines().filter(l -> l.contains(line)).count();
    }

    /**
     * SIGKILL, then waits for the process to be gone.
     *
     * @throws AssertionError if it had already exited on its own (the kill would prove nothing), or if
     *     it did not die of the signal
     */
    void kill() throws InterruptedException {
        if (!process.isAlive()) {
            throw new AssertionError(
                    name + " had already exited with status " + process.exitValue() + " before the kill\n" + logTail());
        }
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " (pid " + process.pid() + ") still runs 30 s after SIGKILL");
        }
        LIVE.remove(process);
        if (process.exitValue() != SIGKILL_STATUS) {
            throw new AssertionError(name + " exited with status " + process.exitValue() + ", not " + SIGKILL_STATUS
                    + " (SIGKILL)\n" + logTail());
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The last 40 lines of the log, headed by the instance's name and the log's path. */
    String logTail() {
        List<String> lines = readLog().lines().toList();
        return "--- last lines of " + log + " ---\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private String readLog() {
        try {
            // Not Files.readString: a torn or binary line must not hide the rest of the log.
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
    }

    /** Kills the JVM if it still runs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        LIVE.remove(process);
    }
}
