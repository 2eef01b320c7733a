package io.visionstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MachineTest {

    @Test
    void picksTheVectorFlagsInTheirFixedOrder() {
        // As /proc/cpuinfo lists them: unordered, among many others.
        String flags = " fpu vme amx_tile avx2 sse4_2 avx512f fma avx512_bf16 avx ht amx_bf16";
        assertThat(Machine.vectorFlags(flags)).isEqualTo("sse4_2 avx avx2 fma avx512f avx512_bf16 amx_tile amx_bf16");
        assertThat(Machine.vectorFlags("fpu vme")).isEqualTo("none");
        // A flag is matched whole: avx512 alone is not avx512f.
        assertThat(Machine.vectorFlags("avx512 avx5")).isEqualTo("none");
    }

    @Test
    void describesTheMachineWithItsFlags() {
        assertThat(Machine.describe())
                .contains("machine: ")
                .contains("CPU vector flags: ")
                .endsWith("\n" + io.visionstream.inference.engine.NativeAllocator.describe());
    }
}
