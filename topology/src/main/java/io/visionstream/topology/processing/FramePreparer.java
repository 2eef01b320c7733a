package io.visionstream.topology.processing;

import io.visionstream.inference.image.DecodedImage;
import io.visionstream.inference.image.ImageDecodeException;
import io.visionstream.inference.image.ImageDecoder;
import io.visionstream.inference.image.Preprocessor;
import io.visionstream.schemas.avro.FailureStage;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.PredictionStatus;
import io.visionstream.schemas.serde.RegistryRejectedException;
import io.visionstream.schemas.serde.RegistryUnreachableException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Turns an input record into either a frame ready for the model or its final outcome (a dead letter or
 * a skipped frame). Every check a record can fail is here, in the order it is applied: value present,
 * within {@code max.frame.bytes}, keyed, deserializable, key matching its source id, fresh enough,
 * decodable within the image limits.
 *
 * <p>Thread-safe: its collaborators are (the deserializer, decoder and preprocessor are documented so).
 */
public final class FramePreparer {

    /** Either a frame for the model, or an outcome already final. */
    public sealed interface Prepared permits Ready, Done {}

    /** Goes to the model. */
    public record Ready(PreparedFrame frame) implements Prepared {}

    /** Needs no model: a dead letter or a skipped frame. */
    public record Done(Outcome outcome) implements Prepared {}

    private final Deserializer<Frame> frames;
    private final ImageDecoder decoder;
    private final Preprocessor preprocessor;
    private final int maxFrameBytes;
    private final long maxFrameAgeMs;

    /**
     * @param maxFrameAgeMs frames whose capture time is older than this on arrival are skipped; 0 = never
     */
    public FramePreparer(
            Deserializer<Frame> frames,
            ImageDecoder decoder,
            Preprocessor preprocessor,
            int maxFrameBytes,
            long maxFrameAgeMs) {
        this.frames = Objects.requireNonNull(frames, "frames");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
        this.maxFrameBytes = maxFrameBytes;
        this.maxFrameAgeMs = maxFrameAgeMs;
    }

    /** Floats one prepared frame holds. */
    public int floatsPerImage() {
        return preprocessor.floatsPerImage();
    }

    /**
     * Checks, decodes and preprocesses one record, writing its pixels straight into the slot it takes in
     * its batch's engine input.
     *
     * @param nowMs wall-clock time, for the staleness check and timings
     * @param slot asked for only when the frame goes to the model, right before its pixels are written
     */
    Prepared prepare(InputRecord in, long nowMs, Supplier<InputSlot> slot) {
        byte[] value = in.value();
        if (value == null || value.length == 0) {
            return reject(
                    in,
                    FailureStage.VALIDATE,
                    "EmptyValue",
                    "record value is " + (value == null ? "null" : "empty (0 bytes)") + ": a frame is required",
                    nowMs);
        }
        if (value.length > maxFrameBytes) {
            return reject(
                    in,
                    FailureStage.VALIDATE,
                    "FrameTooLarge",
                    "frame record is " + value.length + " bytes, over max.frame.bytes=" + maxFrameBytes,
                    nowMs);
        }
        if (in.key() == null) {
            return reject(
                    in,
                    FailureStage.VALIDATE,
                    "NullKey",
                    "record key is null: frames must be keyed by their source id, or per-source order is lost",
                    nowMs);
        }
        Frame frame;
        try {
            frame = frames.deserialize(in.topic(), value);
        } catch (RegistryUnreachableException | RegistryRejectedException e) {
            // An outage or a misconfiguration, not a bad record: dead-lettering would throw away every frame
            // until it is fixed. Failing keeps them; they are processed again once the registry answers.
            throw e;
        } catch (RuntimeException e) {
            // Untrusted bytes: whatever else the Avro reader throws is this record's fault.
            return reject(in, FailureStage.DESERIALIZE, e.getClass().getSimpleName(), e.getMessage(), nowMs);
        }
        String key = new String(in.key(), StandardCharsets.UTF_8);
        if (!key.equals(frame.getSourceId())) {
            return reject(
                    in,
                    FailureStage.VALIDATE,
                    "KeyMismatch",
                    "record key '" + key + "' differs from the frame's sourceId '" + frame.getSourceId()
                            + "': frames must be keyed by their source id",
                    nowMs);
        }
        long captureMs = frame.getCaptureTime().toEpochMilli();
        if (maxFrameAgeMs > 0 && nowMs - captureMs > maxFrameAgeMs) {
            return new Done(new Outcome.Skipped(in, frame, PredictionStatus.SKIPPED_STALE, nowMs));
        }
        DecodedImage image;
        try {
            image = FrameImages.decode(frame, decoder);
        } catch (ImageDecodeException e) {
            FailureStage stage = "decode".equals(e.reason().stage()) ? FailureStage.DECODE : FailureStage.VALIDATE;
            return reject(in, stage, "ImageDecodeException", e.getMessage(), nowMs);
        }
        InputSlot into = slot.get();
        preprocessor.preprocess(image, into.floats());
        return new Ready(new PreparedFrame(in, frame, into, image.width(), image.height(), nowMs));
    }

    private static Done reject(InputRecord in, FailureStage stage, String errorClass, String message, long nowMs) {
        return new Done(new Outcome.Rejected(in, stage, errorClass, message, nowMs));
    }
}
