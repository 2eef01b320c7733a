package io.visionstream.inference.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The additive attention bias Swin needs, and stochastic depth. */
class AttentionAndDropPathTest {

    private NDManager manager;
    private ParameterStore ps;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
        ps = new ParameterStore(manager, false);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void aZeroBiasChangesNothing() {
        Attention attn = new Attention(16, 2, true);
        attn.initialize(manager, DataType.FLOAT32, new Shape(2, 5, 16));
        NDArray x = manager.randomNormal(new Shape(2, 5, 16));

        NDArray plain = attn.forward(ps, x, false);
        NDArray biased = attn.forward(ps, x, manager.zeros(new Shape(2, 5, 5)), false);

        assertThat(biased.toFloatArray()).containsExactly(plain.toFloatArray(), within(1e-6f));
    }

    @Test
    void aMaskThatLeavesOnlyTheDiagonalMakesEachTokenItsOwnValue() {
        Attention attn = new Attention(8, 2, true);
        attn.initialize(manager, DataType.FLOAT32, new Shape(1, 4, 8));
        NDArray x = manager.randomNormal(new Shape(1, 4, 8));
        // [N, N]: 0 on the diagonal, -1e9 elsewhere, broadcast over batch and heads
        NDArray mask = manager.eye(4).sub(1).mul(1e9f);

        NDArray out = attn.forward(ps, x, mask, false);

        Map<String, Parameter> p = attn.checkpointParameters();
        NDArray wv = p.get("qkv.weight").getArray().get(new NDIndex("16:24"));
        NDArray bv = p.get("qkv.bias").getArray().get(new NDIndex("16:24"));
        NDArray v = x.matMul(wv.transpose()).add(bv);
        NDArray expected = v.matMul(p.get("proj.weight").getArray().transpose())
                .add(p.get("proj.bias").getArray());
        assertThat(out.toFloatArray()).containsExactly(expected.toFloatArray(), within(1e-5f));
    }

    @Test
    void headsMustDivideTheWidth() {
        assertThatThrownBy(() -> new Attention(10, 3, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attention dim 10 is not divisible by num_heads 3");
    }

    @Test
    void dropPathIsTheIdentityInInference() {
        NDArray x = manager.randomNormal(new Shape(4, 3));

        assertThat(new DropPath(0.5).forward(ps, x, false)).isSameAs(x);
    }

    @Test
    void dropPathZeroesWholeSamplesAndScalesTheKeptOnesInTraining() {
        NDArray ones = manager.ones(new Shape(256, 3));

        float[] y = new DropPath(0.5).forward(ps, ones, true).toFloatArray();

        int dropped = 0;
        for (int i = 0; i < 256; i++) {
            assertThat(y[3 * i + 1]).isEqualTo(y[3 * i]).isEqualTo(y[3 * i + 2]).isIn(0f, 2f);
            dropped += y[3 * i] == 0f ? 1 : 0;
        }
        assertThat(dropped).isBetween(64, 192);
    }

    @Test
    void dropPathProbabilityMustBeBelowOne() {
        assertThatThrownBy(() -> new DropPath(1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("drop_path probability must be in [0, 1), got 1.0");
    }
}
