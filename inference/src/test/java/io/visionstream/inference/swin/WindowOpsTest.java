package io.visionstream.inference.swin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WindowOpsTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void relativePositionIndexOfA2x2WindowByHand() {
        // tokens (0,0) (0,1) (1,0) (1,1); row of offset (dh, dw) is (dh + 1) * 3 + (dw + 1)
        assertThat(WindowOps.relativePositionIndex(2, 2))
                .containsExactly(4, 3, 1, 0, 5, 4, 2, 1, 7, 6, 4, 3, 8, 7, 5, 4);
    }

    @Test
    void relativePositionIndexEqualsTorchvisionsBuffer() {
        Map<String, NDArray> square = SwinFixtures.read(manager, "native_128", "reference.safetensors");
        Map<String, NDArray> rect = SwinFixtures.read(manager, "pad_80x48", "reference.safetensors");

        assertThat(asLongs(square.get("relative_position_index.0")))
                .containsExactly(WindowOps.relativePositionIndex(4, 4));
        assertThat(asLongs(rect.get("relative_position_index.0")))
                .containsExactly(WindowOps.relativePositionIndex(5, 5));
        assertThat(asLongs(rect.get("relative_position_index.2")))
                .containsExactly(WindowOps.relativePositionIndex(5, 3));
    }

    @Test
    void rollBySlicesEqualsAnIndexArithmeticRoll() {
        Shape shape = new Shape(2, 5, 7, 3);
        float[] data = new float[(int) shape.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        NDArray x = manager.create(data, shape);
        for (int axis = 1; axis <= 2; axis++) {
            for (int shift : new int[] {-3, -1, 0, 2, 7, -9}) {
                float[] rolled = WindowOps.roll(x, shift, axis).toFloatArray();
                assertThat(rolled)
                        .as("roll %d on axis %d", shift, axis)
                        .containsExactly(referenceRoll(data, shape, shift, axis));
            }
        }
    }

    /** torch.roll's definition: out[i] = in[(i - shift) mod n] along the axis. */
    private static float[] referenceRoll(float[] in, Shape shape, int shift, int axis) {
        int[] dims = {(int) shape.get(0), (int) shape.get(1), (int) shape.get(2), (int) shape.get(3)};
        float[] out = new float[in.length];
        int[] idx = new int[4];
        for (int flat = 0; flat < in.length; flat++) {
            int rest = flat;
            for (int d = 3; d >= 0; d--) {
                idx[d] = rest % dims[d];
                rest /= dims[d];
            }
            int[] src = idx.clone();
            src[axis] = Math.floorMod(idx[axis] - shift, dims[axis]);
            out[flat] = in[((src[0] * dims[1] + src[1]) * dims[2] + src[2]) * dims[3] + src[3]];
        }
        return out;
    }

    @Test
    void partitionTakesRowMajorWindowsAndReverseUndoesIt() {
        // a 4x6 single-channel map, windows 2x3: window 1 is rows 0-1, columns 3-5
        NDArray x = manager.arange(24f).reshape(1, 4, 6, 1);

        NDArray windows = WindowOps.partition(x, 2, 3);

        assertThat(windows.getShape()).isEqualTo(new Shape(4, 6, 1));
        assertThat(windows.get(1).toFloatArray()).containsExactly(3, 4, 5, 9, 10, 11);
        assertThat(WindowOps.reverse(windows, 2, 3, 4, 6).toFloatArray()).containsExactly(x.toFloatArray());
    }

    @Test
    void shiftMaskEqualsTheBufferOldCheckpointsCarry() {
        Map<String, NDArray> old = SwinFixtures.read(manager, "legacy_128", "model.safetensors");

        // native_128: stage 0 is 32x32 with window 4 shifted by 2; stage 2 is 8x8
        assertThat(WindowOps.shiftMask(32, 32, new WindowShift(4, 4, 2, 2)))
                .containsExactly(old.get("layers.0.blocks.1.attn_mask").toFloatArray());
        assertThat(WindowOps.shiftMask(8, 8, new WindowShift(4, 4, 2, 2)))
                .containsExactly(old.get("layers.2.blocks.1.attn_mask").toFloatArray());
        assertThat(old).doesNotContainKey("layers.3.blocks.1.attn_mask"); // 4x4 map: no shift
    }

    @Test
    void shiftMaskSeparatesOnlyTokensFromDifferentRegions() {
        // a 4x4 padded frame, 2x2 windows, shift 1 on rows only: the last window row straddles regions
        float[] mask = WindowOps.shiftMask(4, 4, new WindowShift(2, 2, 1, 0));

        assertThat(mask).hasSize(4 * 4 * 4);
        for (int i = 0; i < 2 * 16; i++) {
            assertThat(mask[i]).as("windows 0 and 1 lie in one region").isZero();
        }
        // window 2: tokens 0,1 on row 2 (region 1), tokens 2,3 on row 3 (region 2)
        assertThat(java.util.Arrays.copyOfRange(mask, 32, 48))
                .containsExactly(0, 0, -100, -100, 0, 0, -100, -100, -100, -100, 0, 0, -100, -100, 0, 0);
    }

    private static long[] asLongs(NDArray floats) {
        float[] f = floats.toFloatArray();
        long[] out = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (long) f[i];
        }
        return out;
    }
}
