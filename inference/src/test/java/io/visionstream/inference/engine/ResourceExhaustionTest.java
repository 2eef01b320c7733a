package io.visionstream.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.EngineException;
import org.junit.jupiter.api.Test;

class ResourceExhaustionTest {

    @Test
    void libtorchsCudaOutOfMemoryIsResourceExhaustion() {
        assertThat(ResourceExhaustion.isResourceExhaustion(new EngineException(
                        "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity; 13.1 GiB"
                                + " already allocated)")))
                .isTrue();
    }

    /**
     * The first line of the error PyTorch 2.11.0+cu130 raised on an NVIDIA H100 80GB filled with tensors
     * (2026-12, a lent device machine); libtorch's c10 error, which DJL wraps, carries the same text.
     */
    @Test
    void theErrorARealGpuGaveWhenItRanOutOfMemoryIsResourceExhaustion() {
        assertThat(ResourceExhaustion.isResourceExhaustion(new EngineException("CUDA out of memory. Tried to"
                        + " allocate 4.00 GiB. GPU 0 has a total capacity of 79.18 GiB of which 2.60 GiB is free."
                        + " Including non-PyTorch memory, this process has 76.57 GiB memory in use. Of the allocated"
                        + " memory 76.06 GiB is allocated by PyTorch, and 0 bytes is reserved by PyTorch but"
                        + " unallocated.")))
                .isTrue();
    }

    @Test
    void nativeAllocatorMessagesAreResourceExhaustionWhereverTheyAreInTheCauseChain() {
        assertThat(ResourceExhaustion.isResourceExhaustion(new IllegalStateException(
                        "batch failed",
                        new EngineException("CUBLAS_STATUS_ALLOC_FAILED when calling cublasCreate(handle)"))))
                .isTrue();
        assertThat(ResourceExhaustion.isResourceExhaustion(new EngineException("[enforce fail at alloc_cpu.cpp:117]"
                        + " DefaultCPUAllocator: can't allocate memory: you tried to allocate 9663676416 bytes.")))
                .isTrue();
        assertThat(ResourceExhaustion.isResourceExhaustion(new RuntimeException("std::bad_alloc")))
                .isTrue();
    }

    @Test
    void theJvmsOutOfMemoryErrorIsResourceExhaustion() {
        assertThat(ResourceExhaustion.isResourceExhaustion(
                        new OutOfMemoryError("Cannot reserve 33554432 bytes of" + " direct buffer memory")))
                .isTrue();
    }

    @Test
    void aModelFailureIsNot() {
        assertThat(ResourceExhaustion.isResourceExhaustion(
                        new EngineException("CUDA error: device-side assert triggered")))
                .isFalse();
        assertThat(ResourceExhaustion.isResourceExhaustion(
                        new IllegalArgumentException("expected 3072 floats for a batch of 1, got 3071")))
                .isFalse();
        assertThat(ResourceExhaustion.isResourceExhaustion(new IllegalStateException("engine closed", null)))
                .isFalse();
    }

    @Test
    void aLoopingCauseChainEnds() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertThat(ResourceExhaustion.isResourceExhaustion(a)).isFalse();
    }
}
