package io.visionstream.inference.engine;

import java.util.Locale;

/**
 * How glibc's {@code malloc}, which serves every libtorch CPU tensor, is set for this process, and the
 * setting the project runs with.
 *
 * <p>With glibc's defaults a batch's big tensors (fc1's output of ViT-S/16 at batch 32 is 39 MB) are
 * {@code mmap}ed and unmapped op by op, or trimmed off the heap when a block frees them, so every batch
 * faults its memory in again from the kernel, page by page. On the virtual machines measured here that
 * made the forward up to 3x slower and its speed swing from one run to the next (docs/performance.md,
 * "The native allocator"). {@link #RECOMMENDED} keeps freed memory in the process (no {@code mmap} for
 * big blocks, no trimming) and asks for transparent huge pages on the heap, so a batch reuses the last
 * one's memory, already mapped. The price is that the process's resident memory stays at its peak.
 *
 * <p>glibc reads {@code GLIBC_TUNABLES} only when a process starts, so {@code ./vision}, the container
 * images and the build's test runs set it in the environment of the JVM; a JVM started another way
 * prints {@link #describe()} at start-up to say so. Other C libraries ignore it.
 */
public final class NativeAllocator {

    /** The environment variable glibc reads at start-up. */
    public static final String VARIABLE = "GLIBC_TUNABLES";

    /**
     * The project's setting: huge pages on the heap, never {@code mmap} a block, never trim the heap
     * (4 GiB threshold; a size only, nothing is reserved).
     */
    public static final String RECOMMENDED =
            "glibc.malloc.hugetlb=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967296";

    private NativeAllocator() {}

    /** Whether this process started with {@link #RECOMMENDED}. */
    public static boolean isRecommended() {
        return RECOMMENDED.equals(System.getenv(VARIABLE));
    }

    /** One line for start-up logs and benchmark headers: the setting this process started with. */
    public static String describe() {
        return describe(System.getenv(VARIABLE));
    }

    /**
     * @param tunables the value of {@code GLIBC_TUNABLES} the process started with, or null when unset
     */
    static String describe(String tunables) {
        if (tunables == null) {
            return String.format(
                    Locale.ROOT,
                    "native allocator: glibc defaults (%s unset): each batch maps its memory afresh; ./vision and the"
                            + " images start the JVM with %s=%s (docs/performance.md, \"The native allocator\")",
                    VARIABLE,
                    VARIABLE,
                    RECOMMENDED);
        }
        if (tunables.equals(RECOMMENDED)) {
            return "native allocator: " + VARIABLE + "=" + tunables + " (the project's setting)";
        }
        return String.format(
                Locale.ROOT,
                "native allocator: %s=%s, set by the caller (the project's setting is %s)",
                VARIABLE,
                tunables,
                RECOMMENDED);
    }
}
