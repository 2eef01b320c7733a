package io.visionstream.inference.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A single-input DJL block whose parameters are addressed by PyTorch state-dict keys.
 *
 * <p>Children are added under the module names PyTorch gives them ({@code "conv"}, {@code
 * "stages.0"}, {@code "0"}), and {@link #checkpointParameters()} returns every parameter under its key
 * relative to this block ({@code stages.0.blocks.0.conv1.weight}). DJL's own child names carry a
 * counter prefix ({@code "01conv"}) that cannot be stripped reliably from numeric names, so the names
 * are kept here as given.
 *
 * <p>Every parameter's shape is fixed in its block's constructor, so {@link #initialize} does not
 * depend on the input shape. Not thread-safe to build or initialise; once initialised, inference
 * forwards may run concurrently (training forwards of blocks with running statistics may not).
 */
public abstract class CheckpointBlock extends AbstractBlock {

    private final List<Map.Entry<String, CheckpointBlock>> namedChildren = new ArrayList<>();

    protected CheckpointBlock() {
        super((byte) 1);
    }

    /** Adds {@code block} as a child under the PyTorch module name {@code name}; returns it. */
    protected final <B extends CheckpointBlock> B addChild(String name, B block) {
        addChildBlock(name, block);
        namedChildren.add(Map.entry(name, block));
        return block;
    }

    /**
     * Runs the block on one input.
     *
     * @param ps where parameter values are read (and, in training, gradients attached)
     * @param x the input, usually {@code [B, C, H, W]}
     * @param training training mode: batch statistics for batch norms, autograd recording
     * @return the output, allocated on {@code x}'s manager
     */
    public abstract NDArray forward(ParameterStore ps, NDArray x, boolean training);

    /** Every parameter of this block and its children under its state-dict key, in module order. */
    public final Map<String, Parameter> checkpointParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectParameters("", out);
        return Collections.unmodifiableMap(out);
    }

    /**
     * Adds every parameter under {@code prefix + key}.
     *
     * @param prefix dotted prefix ending in {@code "."}, or empty
     * @param out where to put the parameters
     */
    public final void collectParameters(String prefix, Map<String, Parameter> out) {
        for (Parameter p : parameters.values()) {
            out.put(prefix + p.getName(), p);
        }
        for (Map.Entry<String, CheckpointBlock> child : namedChildren) {
            child.getValue().collectParameters(prefix + child.getKey() + ".", out);
        }
    }

    @Override
    protected final NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // Parameter shapes are fixed at construction; a child's input shape is only recorded, not used.
        for (Map.Entry<String, CheckpointBlock> child : namedChildren) {
            child.getValue().initialize(manager, dataType, inputShapes);
        }
    }

    /** A trainable or frozen parameter with a fixed shape. */
    protected static Parameter parameter(String name, Parameter.Type type, Shape shape, boolean trainable) {
        return Parameter.builder()
                .setName(name)
                .setType(type)
                .optShape(shape)
                .optRequiresGrad(trainable)
                .build();
    }

    /**
     * {@code body} applied to {@code x} in a child scope of {@code x}'s manager: every array the body
     * makes from {@code x} is freed when it returns, except the result, which moves to {@code x}'s
     * manager. Without this a batch's intermediates all live until the batch's manager closes, so each
     * op writes into memory fresh from the system (page faults, cold caches) instead of a block's
     * just-freed buffers, and the batch's footprint grows with depth. Safe in training: closing a Java
     * handle drops one reference to the tensor, and libtorch's autograd keeps its own for backward.
     *
     * @param body arrays it makes must descend from {@code x} (an op's result belongs to its first
     *     operand's manager); it must not return {@code x} itself
     */
    protected static NDArray scoped(NDArray x, UnaryOperator<NDArray> body) {
        NDManager owner = x.getManager();
        try (NDManager scope = owner.newSubManager()) {
            x.tempAttach(scope);
            NDArray result = body.apply(x);
            result.attach(owner);
            return result;
        }
    }

    /**
     * A 0-d tensor holding {@code value}, allocated by the engine next to {@code like}. Inside an
     * autograd graph this replaces {@code x.add(Number)}: DJL backs a Number operand with a Java buffer
     * that it frees at once while the graph may still read it in the backward pass.
     */
    protected static NDArray scalar(NDArray like, double value) {
        return like.getManager()
                .ones(new Shape(), like.getDataType(), like.getDevice())
                .muli(value);
    }
}
