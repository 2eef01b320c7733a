package io.visionstream.inference.weights;

import java.io.IOException;

/**
 * A checkpoint folder that exists but cannot be used: malformed JSON or safetensors, an unknown
 * architecture, unsupported settings, or tensors that do not match the model. The message names the
 * file and every offending key.
 */
public class InvalidCheckpointException extends IOException {

    /** With a message that names the file and the problem. */
    public InvalidCheckpointException(String message) {
        super(message);
    }

    /** With a message that names the file and the problem, and its cause. */
    public InvalidCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
