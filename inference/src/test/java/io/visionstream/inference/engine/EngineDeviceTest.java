package io.visionstream.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.visionstream.inference.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * The {@code device} setting: its forms, and which device each names on machines with no GPU, one or
 * several. The rules are checked against GPU counts given to them, so they run here without a GPU; the
 * GPU actually present is only asked in the last tests.
 */
class EngineDeviceTest {

    private static Device resolve(String device, int gpus) {
        Device best = gpus > 0 ? Device.gpu(0) : Device.cpu();
        return DjlEngine.resolveDevice(EngineOptions.defaults().withDevice(device), best, gpus, "2.5.1");
    }

    @Test
    void everyFormIsReadInAnyCaseAndAGpuIndexIsKept() {
        assertThat(EngineOptions.defaults().withDevice("AUTO").device()).isEqualTo("auto");
        assertThat(EngineOptions.defaults().withDevice(" cpu ").device()).isEqualTo("cpu");
        assertThat(EngineOptions.defaults().withDevice("GPU").gpuIndex()).isEqualTo(-1);
        assertThat(EngineOptions.defaults().withDevice("gpu:0").gpuIndex()).isZero();
        assertThat(EngineOptions.defaults().withDevice("Gpu:3").device()).isEqualTo("gpu:3");
        assertThat(EngineOptions.defaults().withDevice("gpu:3").gpuIndex()).isEqualTo(3);
    }

    @Test
    void aMalformedDeviceIsRefusedInOneLineSayingWhatIsAllowed() {
        for (String bad :
                new String[] {"", "cuda", "gpu:", "gpu:-1", "gpu:01", "gpu:x", "gpu:1:2", "gpu 1", "gpu:10000"}) {
            assertThatThrownBy(() -> EngineOptions.defaults().withDevice(bad))
                    .as("device '%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("device='" + bad.trim() + "' must be auto, cpu, gpu or gpu:N (N the index of one GPU,"
                            + " from 0)");
        }
    }

    @Test
    void autoTakesGpuZeroWhenThereIsOneAndTheCpuOtherwise() {
        assertThat(resolve("auto", 0)).isEqualTo(Device.cpu());
        assertThat(resolve("auto", 2)).isEqualTo(Device.gpu(0));
    }

    @Test
    void cpuIsTheCpuWhateverGpusThereAre() {
        assertThat(resolve("cpu", 0)).isEqualTo(Device.cpu());
        assertThat(resolve("cpu", 4)).isEqualTo(Device.cpu());
    }

    @Test
    void gpuIsGpuZeroAndGpuNIsGpuN() {
        assertThat(resolve("gpu", 1)).isEqualTo(Device.gpu(0));
        assertThat(resolve("gpu:0", 4)).isEqualTo(Device.gpu(0));
        assertThat(resolve("gpu:3", 4)).isEqualTo(Device.gpu(3));
    }

    @Test
    void aGpuThatIsNotThereIsRefusedInOneLineNeverFallingBackToTheCpu() {
        assertThatThrownBy(() -> resolve("gpu", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device=gpu but DJL sees no GPU (PyTorch 2.5.1, GPUs: 0)");
        assertThatThrownBy(() -> resolve("gpu:1", 0))
                .hasMessage("device=gpu:1 but DJL sees no GPU (PyTorch 2.5.1, GPUs: 0)");
        assertThatThrownBy(() -> resolve("gpu:1", 1)).hasMessage("device=gpu:1 but DJL sees 1 GPU (gpu:0)");
        assertThatThrownBy(() -> resolve("gpu:4", 4)).hasMessage("device=gpu:4 but DJL sees 4 GPUs (gpu:0 to gpu:3)");
    }

    @Test
    void onThisMachineAGpuIndexPastTheGpusPresentStopsTheOpenBeforeAnythingLoads() {
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        String device = "gpu:" + gpus;
        assertThatThrownBy(() -> DjlEngine.open(
                        Fixtures.dir("tiny"), EngineOptions.defaults().withDevice(device)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("device=" + device + " but DJL sees ");
    }

    @Test
    void onAMachineWithSeveralGpusTheModelRunsOnTheOneNamed() throws Exception {
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        assumeTrue(gpus >= 2, "needs two GPUs; DJL sees " + gpus);
        try (DjlEngine engine =
                DjlEngine.open(Fixtures.dir("tiny"), EngineOptions.defaults().withDevice("gpu:" + (gpus - 1)))) {
            assertThat(engine.info().device()).isEqualTo(Device.gpu(gpus - 1).toString());
            assertThat(engine.infer(new float[3 * 32 * 32], 1).get(0).logits()).hasSize(10);
        }
    }
}
