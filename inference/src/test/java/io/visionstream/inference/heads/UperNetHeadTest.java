package io.visionstream.inference.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UperNetHeadTest {

    // The head of make_head_fixtures.py: D=32, 16 channels, 4 classes, pool scales 1, 2, 3, 6.
    private static final DenseHeadConfig FIXTURE_CONFIG =
            new DenseHeadConfig(32, List.of(2, 5, 8, 11), 16, null, 4, List.of("sky", "road", "car", "person"));

    private NDManager manager;
    private ParameterStore ps;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        ps = new ParameterStore(manager, false);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private UperNetHead initializedHead(DenseHeadConfig config, long gridH, long gridW) {
        UperNetHead head = new UperNetHead(config);
        head.initialize(manager, DataType.FLOAT32, head.inputShapes(1, gridH, gridW));
        return head;
    }

    private NDList randomMaps(long batch, long dim, long h, long w) {
        NDList maps = new NDList();
        for (int i = 0; i < 4; i++) {
            maps.add(manager.randomNormal(new Shape(batch, dim, h, w)));
        }
        return maps;
    }

    private static NDList inputs(Map<String, NDArray> fx, String prefix) {
        NDList maps = new NDList();
        for (int i = 0; i < 4; i++) {
            maps.add(fx.get(prefix + i));
        }
        return maps;
    }

    @Test
    void pyramidLevelsAreFourTwoOneAndHalfTimesTheNonSquareGrid() {
        // 64x96 image, patch 8 -> 8x12 maps
        Feature2Pyramid neck = new Feature2Pyramid(32);
        neck.initialize(
                manager,
                DataType.FLOAT32,
                initializedHead(FIXTURE_CONFIG, 8, 12).inputShapes(2, 8, 12));

        NDList pyramid = neck.pyramid(ps, randomMaps(2, 32, 8, 12), false);

        assertThat(pyramid.getShapes())
                .containsExactly(
                        new Shape(2, 32, 32, 48),
                        new Shape(2, 32, 16, 24),
                        new Shape(2, 32, 8, 12),
                        new Shape(2, 32, 4, 6));
    }

    @Test
    void logitsAndClassMapHaveTheNonSquareImageSize() {
        UperNetHead head = initializedHead(FIXTURE_CONFIG, 8, 12);

        NDArray logits = head.forward(ps, randomMaps(2, 32, 8, 12), 64, 96, false);

        assertThat(logits.getShape()).isEqualTo(new Shape(2, 4, 64, 96));
    }

    @Test
    void blockForwardReturnsLogitsAtTheFinestPyramidLevel() {
        UperNetHead head = initializedHead(FIXTURE_CONFIG, 8, 12);

        NDList out = head.forward(ps, randomMaps(2, 32, 8, 12), false);

        assertThat(out.getShapes()).containsExactly(new Shape(2, 4, 32, 48));
        assertThat(head.getOutputShapes(head.inputShapes(2, 8, 12))).containsExactly(new Shape(2, 4, 32, 48));
    }

    @Test
    void sixBySixGridGivesAThreeByThreeCoarsestLevelAndFullSizeLogits() {
        // 96x96 image, patch 16 -> 6x6 maps -> 24x24, 12x12, 6x6, 3x3 pyramid
        UperNetHead head = initializedHead(FIXTURE_CONFIG, 6, 6);

        NDArray logits = head.forward(ps, randomMaps(1, 32, 6, 6), 96, 96, false);

        assertThat(logits.getShape()).isEqualTo(new Shape(1, 4, 96, 96));
        assertThat(logits.isNaN().any().getBoolean()).isFalse();
    }

    @Test
    void wholeHeadMatchesThePyTorchReference() {
        Map<String, NDArray> fx = Fixtures.load(manager, "upernet_head.safetensors");
        UperNetHead head = initializedHead(FIXTURE_CONFIG, 8, 12);
        head.loadWeights(fx);
        NDList maps = inputs(fx, "input.");

        Fixtures.assertClose(head.forward(ps, maps, false).singletonOrThrow(), fx.get("output.logits_quarter"), 1e-4);
        Fixtures.assertClose(head.forward(ps, maps, 64, 96, false), fx.get("output.logits"), 1e-4);
    }

    @Test
    void wholeHeadMatchesThePyTorchReferenceWhenTheCoarsestLevelIsOneByOne() {
        // 48x48 image, patch 16 -> 3x3 maps -> 1x1 coarsest level, pooled up to 6x6 and resized back down
        Map<String, NDArray> fx = Fixtures.load(manager, "upernet_head.safetensors");
        UperNetHead head = initializedHead(FIXTURE_CONFIG, 3, 3);
        head.loadWeights(fx);

        NDArray logits = head.forward(ps, inputs(fx, "small.input."), 48, 48, false);

        Fixtures.assertClose(logits, fx.get("small.output.logits"), 1e-4);
    }

    @Test
    void wholeHeadMatchesThePyTorchReferenceOnOddGrids() {
        // 40x56 image, patch 8 -> 5x7 maps -> 2x3 coarsest level, upsampled by non-integer factors
        Map<String, NDArray> fx = Fixtures.load(manager, "upernet_head.safetensors");
        UperNetHead head = initializedHead(FIXTURE_CONFIG, 5, 7);
        head.loadWeights(fx);

        NDArray logits = head.forward(ps, inputs(fx, "odd.input."), 40, 56, false);

        Fixtures.assertClose(logits, fx.get("odd.output.logits"), 1e-4);
    }

    @Test
    void forwardLeavesNothingOnTheManagerThatOwnsTheParameters() {
        UperNetHead head = initializedHead(FIXTURE_CONFIG, 8, 12);
        int before = manager.getManagedArrays().size();

        try (NDManager batch = NDManager.newBaseManager()) {
            NDList maps = new NDList();
            for (int i = 0; i < 4; i++) {
                maps.add(batch.randomNormal(new Shape(1, 32, 8, 12)));
            }
            head.forward(new ParameterStore(batch, false), maps, 64, 96, false);
        }

        assertThat(manager.getManagedArrays()).hasSize(before);
    }

    @Test
    void parameterNamesAndShapesAreThoseOfTheReferenceStateDict() {
        Map<String, NDArray> fx = Fixtures.load(manager, "upernet_head.safetensors");
        Map<String, Shape> reference = new LinkedHashMap<>();
        // the fixture file also holds inputs and outputs; the head's tensors are those under decode_head.
        fx.forEach((name, array) -> {
            if (name.startsWith("decode_head.") && !name.endsWith("num_batches_tracked")) {
                reference.put(name, array.getShape());
            }
        });

        Map<String, Shape> shapes = new UperNetHead(FIXTURE_CONFIG).parameterShapes();

        assertThat(shapes).containsExactlyEntriesOf(reference);
        assertThat(shapes).containsEntry("decode_head.psp_modules.3.1.conv.weight", new Shape(16, 32, 1, 1));
    }

    @Test
    void everyCheckpointParameterIsReachableThroughTheBlockTree() {
        UperNetHead head = new UperNetHead(FIXTURE_CONFIG);

        assertThat(head.getParameters().values())
                .containsExactlyInAnyOrderElementsOf(head.checkpointParameters().values());
    }

    @Test
    void loadingReportsEveryMissingUnexpectedAndMisshapenTensorAtOnce() {
        Map<String, NDArray> fx = new LinkedHashMap<>(Fixtures.load(manager, "upernet_head.safetensors"));
        UperNetHead head = initializedHead(FIXTURE_CONFIG, 8, 12);
        fx.remove("decode_head.bottleneck.bn.running_var");
        fx.remove("decode_head.conv_seg.bias");
        fx.put("decode_head.cls_token", manager.zeros(new Shape(1)));
        fx.put("decode_head.fpn_convs.1.conv.weight", manager.zeros(new Shape(16, 16, 1, 1)));
        fx.put("blocks.0.attn.qkv.weight", manager.zeros(new Shape(96, 32))); // backbone: not the head's

        assertThatThrownBy(() -> head.loadWeights(fx))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense head weights do not fit (dense_head in_channels=[32, 32, 32, 32], channels=16,"
                        + " pool_scales=[1, 2, 3, 6], num_classes=4):\n"
                        + "  missing 2: [decode_head.bottleneck.bn.running_var, decode_head.conv_seg.bias]\n"
                        + "  unexpected 1: [decode_head.cls_token]\n"
                        + "  wrong shape or type 1: [decode_head.fpn_convs.1.conv.weight has shape (16, 16, 1, 1),"
                        + " expected (16, 16, 3, 3)]");
    }

    @Test
    void failedLoadLeavesTheParametersUntouched() {
        Map<String, NDArray> fx = new LinkedHashMap<>(Fixtures.load(manager, "upernet_head.safetensors"));
        UperNetHead head = initializedHead(FIXTURE_CONFIG, 8, 12);
        float[] before = head.checkpointParameters()
                .get("decode_head.conv_seg.weight")
                .getArray()
                .toFloatArray();
        fx.remove("decode_head.conv_seg.bias");

        assertThatThrownBy(() -> head.loadWeights(fx)).isInstanceOf(IllegalArgumentException.class);

        assertThat(head.checkpointParameters()
                        .get("decode_head.conv_seg.weight")
                        .getArray()
                        .toFloatArray())
                .containsExactly(before);
    }

    @Test
    void loadingBeforeInitializeIsRejected() {
        UperNetHead head = new UperNetHead(FIXTURE_CONFIG);

        assertThatThrownBy(() -> head.loadWeights(Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("initialize the dense head before loading its weights");
    }

    @Test
    void wrongNumberOfFeatureMapsIsRejected() {
        UperNetHead head = initializedHead(FIXTURE_CONFIG, 8, 12);
        NDList three = new NDList(randomMaps(1, 32, 8, 12).subList(0, 3));

        assertThatThrownBy(() -> head.forward(ps, three, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "dense head expects 4 feature maps (one per dense_head.feature_indices [2, 5, 8, 11]), got 3");
    }

    @Test
    void wrongChannelCountIsRejected() {
        UperNetHead head = initializedHead(FIXTURE_CONFIG, 8, 12);

        assertThatThrownBy(() -> head.forward(ps, randomMaps(1, 24, 8, 12), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "dense head feature map 0 has shape (1, 24, 8, 12), expected [B, 32 (dense_head.in_channels[0]), h, w]");
    }

    @Test
    void mapsOfDifferentShapesAreRejected() {
        UperNetHead head = initializedHead(FIXTURE_CONFIG, 8, 12);
        NDList maps = randomMaps(1, 32, 8, 12);
        maps.set(2, manager.zeros(new Shape(1, 32, 8, 10)));

        assertThatThrownBy(() -> head.forward(ps, maps, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "dense head feature maps must share one shape: map 0 is (1, 32, 8, 12), map 2 is (1, 32, 8, 10)");
    }

    @Test
    void trainingOnASingleImageIsRejected() {
        UperNetHead head = initializedHead(FIXTURE_CONFIG, 8, 12);

        assertThatThrownBy(() -> head.forward(ps, randomMaps(1, 32, 8, 12), true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "training the dense head needs a batch of at least 2 (batch norm after 1x1 pooling), got 1");
    }

    @Test
    void gridsTooSmallForTheOneThirtySecondLevelAreRejected() {
        UperNetHead head = initializedHead(FIXTURE_CONFIG, 8, 12);

        assertThatThrownBy(() -> head.forward(ps, randomMaps(1, 32, 1, 4), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "dense head needs feature maps of at least 2x2 patches (the 1/32 level max-pools 2x2), got 1x4");
    }

    @Test
    void hierarchicalMapsFeedTheDecoderWithoutANeck() {
        DenseHeadConfig config = new DenseHeadConfig(
                List.of(8, 16, 32, 64), List.of(4, 8, 16, 32), List.of(0, 1, 2, 3), 16, null, 3, null);
        UperNetHead head = new UperNetHead(config);
        Shape[] shapes = head.inputShapes(2, 16, 12);
        head.initialize(manager, DataType.FLOAT32, shapes);
        NDList maps = new NDList();
        for (Shape s : shapes) {
            maps.add(manager.randomNormal(s));
        }

        NDArray logits = head.forward(ps, maps, false).singletonOrThrow();

        assertThat(shapes)
                .containsExactly(
                        new Shape(2, 8, 16, 12),
                        new Shape(2, 16, 8, 6),
                        new Shape(2, 32, 4, 3),
                        new Shape(2, 64, 2, 2));
        assertThat(logits.getShape()).isEqualTo(new Shape(2, 3, 16, 12));
        assertThat(head.parameterShapes().keySet())
                .noneMatch(k -> k.contains(".neck."))
                .contains("decode_head.lateral_convs.1.conv.weight", "decode_head.bottleneck.conv.weight");
        assertThat(head.parameterShapes().get("decode_head.lateral_convs.1.conv.weight"))
                .isEqualTo(new Shape(16, 16, 1, 1));
        assertThat(head.parameterShapes().get("decode_head.bottleneck.conv.weight"))
                .isEqualTo(new Shape(16, 64 + 4 * 16, 3, 3));
    }
}
