package io.visionstream.app.cameras;

import io.visionstream.inference.image.ClassPalette;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.ImageEncoding;
import io.visionstream.training.synthetic.CameraSequence;
import io.visionstream.training.synthetic.Scene;
import io.visionstream.training.synthetic.SceneConfig;
import io.visionstream.training.synthetic.SyntheticScenes;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A camera filming moving shapes: each frame is JPEG-encoded and carries its ground truth in the frame's
 * metadata ({@value #TRUTH_LABEL}, {@value #TRUTH_CLASS}, {@value #TRUTH_MASK}), so anyone downstream can
 * score the model. Every {@code framesPerShot} frames the camera cuts to a new shot (a new scene with new
 * shapes), as a patrolling camera would; within a shot the shapes move smoothly. Without cuts a camera
 * would show the same shapes forever, and a few cameras would score a model on a few classes only. Not
 * thread-safe: one thread drives one camera.
 */
public final class SyntheticCamera {

    /** Metadata key: index of the image-level class (the shape covering the most pixels). */
    public static final String TRUTH_LABEL = "truth.label";
    /** Metadata key: name of that class. */
    public static final String TRUTH_CLASS = "truth.class";
    /** Metadata key: the per-pixel class mask as a palette PNG (pixel value = class index), base64. */
    public static final String TRUTH_MASK = "truth.mask.png.base64";

    private final String sourceId;
    private final long seed;
    private final SceneConfig scenes;
    private final int framesPerShot;
    private CameraSequence sequence;
    private final List<String> classNames;
    private final ClassPalette palette;
    private final int jpegQuality;
    private long nextSequence;

    /**
     * @param sourceId the camera's id: the frames' key and {@code sourceId}
     * @param seed makes the camera's shots, motion and backgrounds reproducible
     * @param framesPerShot frames between cuts to a new scene, at least 1
     */
    public SyntheticCamera(String sourceId, long seed, SceneConfig scenes, int jpegQuality, int framesPerShot) {
        if (framesPerShot < 1) {
            throw new IllegalArgumentException("framesPerShot must be at least 1, got " + framesPerShot);
        }
        this.sourceId = sourceId;
        this.seed = seed;
        this.scenes = scenes;
        this.framesPerShot = framesPerShot;
        this.sequence = new CameraSequence(shotSeed(0), scenes);
        this.classNames = SyntheticScenes.classNames(scenes.numClasses());
        this.palette = ClassPalette.voc(classNames.size());
        this.jpegQuality = jpegQuality;
    }

    /** Each shot's own seed, derived from the camera's: reproducible, and distinct across cameras. */
    private long shotSeed(long shot) {
        return seed * 1_000_003L + shot;
    }

    public String sourceId() {
        return sourceId;
    }

    /** One frame as produced, with the scene it shows. */
    public record Shot(Frame frame, Scene scene) {}

    /** The next frame, captured at {@code captureMs}. */
    public Shot next(long captureMs) {
        if (nextSequence > 0 && nextSequence % framesPerShot == 0) {
            sequence = new CameraSequence(shotSeed(nextSequence / framesPerShot), scenes);
        }
        Scene scene = sequence.next();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(TRUTH_LABEL, String.valueOf(scene.label()));
        metadata.put(TRUTH_CLASS, classNames.get(scene.label()));
        metadata.put(
                TRUTH_MASK,
                Base64.getEncoder()
                        .encodeToString(ImageEncoder.maskPng(scene.mask(), scene.width(), scene.height(), palette)));
        Frame frame = Frame.newBuilder()
                .setSourceId(sourceId)
                .setSequence(nextSequence++)
                .setCaptureTime(Instant.ofEpochMilli(captureMs))
                .setEncoding(ImageEncoding.JPEG)
                .setWidth(scene.width())
                .setHeight(scene.height())
                .setImage(ByteBuffer.wrap(ImageEncoder.jpeg(scene.image(), jpegQuality)))
                .setMetadata(metadata)
                .build();
        return new Shot(frame, scene);
    }
}
