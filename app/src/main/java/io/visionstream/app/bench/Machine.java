package io.visionstream.app.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The machine a benchmark ran on, and the libtorch threads it used, printed with its numbers. */
final class Machine {

    private Machine() {}

    /** The CPU flags that decide which matrix kernels libtorch can use, in this order where present. */
    static final List<String> VECTOR_FLAGS = List.of(
            "sse4_2",
            "avx",
            "avx2",
            "fma",
            "f16c",
            "avx512f",
            "avx512bw",
            "avx512vl",
            "avx512_vnni",
            "avx512_bf16",
            "avx512_fp16",
            "avx_vnni",
            "amx_tile",
            "amx_bf16",
            "amx_int8");

    static String describe() {
        String cpu = "unknown CPU";
        String flags = "unreadable";
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            cpu = lines.stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse(cpu);
            flags = lines.stream()
                    .filter(l -> l.startsWith("flags"))
                    .map(l -> vectorFlags(l.substring(l.indexOf(':') + 1)))
                    .findFirst()
                    .orElse(flags);
        } catch (IOException e) {
            cpu = "CPU model unreadable (" + e.getMessage() + ")";
        }
        return String.format(
                Locale.ROOT,
                "machine: %d cores, %s, %d MiB max heap; %s %s%nCPU vector flags: %s%n%s%nlibtorch intra-op threads:"
                        + " %d (inference.threads)%n%s",
                Runtime.getRuntime().availableProcessors(),
                cpu,
                Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                flags,
                loadAverage("load average at start"),
                io.visionstream.inference.engine.InferenceEngines.intraOpThreads(),
                io.visionstream.inference.engine.NativeAllocator.describe());
    }

    /** The {@link #VECTOR_FLAGS} present in a {@code /proc/cpuinfo} flags value; "none" for none of them. */
    static String vectorFlags(String cpuinfoFlags) {
        Set<String> present = Set.of(cpuinfoFlags.trim().split("\\s+"));
        String out = VECTOR_FLAGS.stream().filter(present::contains).collect(Collectors.joining(" "));
        return out.isEmpty() ? "none" : out;
    }

    /**
     * A reading of the JIT compilers' clock: the JVM's total compilation time (elapsed time, summed over its
     * compiler threads) at a moment. Two readings give how many cores the compilers kept busy between them,
     * at most: a compiler thread waiting for a core still counts. A timed phase that shares the cores with
     * a busy JIT measures warm-up, not the steady state, so every timed phase prints it.
     */
    record JitReading(long compileMillis, long nanos) {

        static JitReading now() {
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            long millis =
                    jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
            return new JitReading(millis, System.nanoTime());
        }

        /** Compiler cores from {@code earlier} to this reading; NaN where the JVM does not report them. */
        double coresSince(JitReading earlier) {
            if (compileMillis < 0 || earlier.compileMillis < 0 || nanos <= earlier.nanos) {
                return Double.NaN;
            }
            return (compileMillis - earlier.compileMillis) / ((nanos - earlier.nanos) / 1e6);
        }
    }

    static String loadAverage(String label) {
        try {
            return label + ": " + Files.readString(Path.of("/proc/loadavg")).trim() + " (the CPU may be shared)";
        } catch (IOException e) {
            return label + ": unreadable (" + e.getMessage() + ")";
        }
    }
}
