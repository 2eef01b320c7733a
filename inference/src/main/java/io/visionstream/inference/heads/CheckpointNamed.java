package io.visionstream.inference.heads;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.Map;

/** A block that can list its parameters under the names a PyTorch {@code state_dict} gives them. */
interface CheckpointNamed {

    /**
     * Adds every parameter of this block and its children, in checkpoint order.
     *
     * @param prefix dotted prefix ending in {@code "."} (or empty), e.g. {@code "decode_head.bottleneck."}
     * @param out where to put {@code prefix + localName -> parameter}
     */
    void collectParameters(String prefix, Map<String, Parameter> out);

    /** A trainable or frozen parameter with a fixed shape and its type's default initialiser. */
    static Parameter parameter(String name, Parameter.Type type, Shape shape, boolean trainable) {
        return Parameter.builder()
                .setName(name)
                .setType(type)
                .optShape(shape)
                .optRequiresGrad(trainable)
                .build();
    }
}
