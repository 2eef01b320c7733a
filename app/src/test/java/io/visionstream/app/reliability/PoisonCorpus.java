package io.visionstream.app.reliability;

import io.visionstream.inference.image.DecodedImage;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.schemas.avro.FailureStage;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.ImageEncoding;
import io.visionstream.topology.processing.TestFrames;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Records a live processor must turn into dead letters, each with the stage, error class and message
 * parts its dead letter must carry. Everything is built once, deterministically (fixed seeds), so the
 * same bytes can be sent many times and compared with what comes back.
 *
 * <p>The corpus is made of the other tests' ingredients: good frames from {@link TestFrames}, images
 * from {@link ImageEncoder}, and the limits the processor is configured with.
 */
final class PoisonCorpus {

    /**
     * One bad record and what its dead letter must say.
     *
     * @param key record key; null for the null-key case
     * @param messageParts fragments the dead letter's error message must contain, in any order
     */
    record Poison(
            String name, byte[] key, byte[] value, FailureStage stage, String errorClass, List<String> messageParts) {}

    /** A 64-megapixel PNG fits in a few KiB when it is all zeros; the processor allows 40 megapixels. */
    static final int BOMB_SIDE = 8000;

    private PoisonCorpus() {}

    /**
     * @param source the source id every keyed record is sent under (and that frames carry)
     * @param maxFrameBytes the processor's {@code max.frame.bytes}
     * @param maxImagePixels the processor's {@code max.image.pixels}
     */
    static List<Poison> build(TestFrames frames, String topic, String source, int maxFrameBytes, long maxImagePixels) {
        byte[] key = TestFrames.key(source);
        Frame good = frames.frame(source, 0, 1_700_000_000_000L);
        byte[] goodBytes = frames.serialize(topic, good);
        int w = TestFrames.WIDTH;
        int h = TestFrames.HEIGHT;

        byte[] random = new byte[1000];
        new SplittableRandom(17).nextBytes(random);

        byte[] randomBody = Arrays.copyOf(goodBytes, 5 + 1000); // the real header: magic 0, Frame's schema id
        byte[] noise = new byte[1000];
        new SplittableRandom(23).nextBytes(noise);
        System.arraycopy(noise, 0, randomBody, 5, noise.length);

        byte[] jpeg = frames.jpeg(0);
        byte[] truncatedJpeg = Arrays.copyOf(jpeg, jpeg.length / 2);

        byte[] lyingPng = pngClaimingHeight(w, h, h + 20);

        byte[] bomb = zeroPng(BOMB_SIDE, BOMB_SIDE);
        if (bomb.length > 64 * 1024) {
            throw new IllegalStateException("the decompression bomb should be small, is " + bomb.length + " bytes");
        }

        byte[] wrongMagic = goodBytes.clone();
        wrongMagic[0] = 7;

        byte[] unknownId = goodBytes.clone();
        ByteBuffer.wrap(unknownId, 1, 4).putInt(0x7fff0000);

        byte[] oversized = frameOfExactly(frames, topic, good, maxFrameBytes + 1);

        byte[] wide = ImageEncoder.png(new DecodedImage(100_000, 1, new byte[100_000 * 3]));
        byte[] onePixel = ImageEncoder.png(new DecodedImage(1, 1, new byte[3]));

        byte[] noiseImage = new byte[2000];
        new SplittableRandom(29).nextBytes(noiseImage);

        return List.of(
                new Poison(
                        "random bytes",
                        key,
                        random,
                        FailureStage.DESERIALIZE,
                        "WrongMagicByteException",
                        List.of(String.format("first byte is 0x%02x", random[0] & 0xff))),
                new Poison(
                        "random Avro body after a valid header",
                        key,
                        randomBody,
                        FailureStage.DESERIALIZE,
                        "MalformedRecordException",
                        List.of("Topic '" + topic + "'", "schema id " + schemaId(goodBytes))),
                new Poison(
                        "truncated JPEG",
                        key,
                        frame(frames, topic, good, ImageEncoding.JPEG, w, h, truncatedJpeg),
                        FailureStage.DECODE,
                        "ImageDecodeException",
                        List.of("TRUNCATED: ", "does not end with the EOI marker")),
                new Poison(
                        "PNG whose header claims more rows than its data holds",
                        key,
                        frame(frames, topic, good, ImageEncoding.PNG, w, h + 20, lyingPng),
                        FailureStage.DECODE,
                        "ImageDecodeException",
                        List.of(
                                "CORRUPT: ",
                                "inflates to " + h * (1 + 3 * w) + " bytes",
                                w + "x" + (h + 20),
                                "implies " + (h + 20) * (1 + 3 * w))),
                new Poison(
                        "decompression bomb (" + BOMB_SIDE + "x" + BOMB_SIDE + " PNG of " + bomb.length + " bytes)",
                        key,
                        frame(frames, topic, good, ImageEncoding.PNG, BOMB_SIDE, BOMB_SIDE, bomb),
                        FailureStage.VALIDATE,
                        "ImageDecodeException",
                        List.of(
                                "TOO_MANY_PIXELS: ",
                                BOMB_SIDE + "x" + BOMB_SIDE + " = " + (long) BOMB_SIDE * BOMB_SIDE + " pixels",
                                "decode.max-pixels) of " + maxImagePixels)),
                new Poison(
                        "empty value",
                        key,
                        new byte[0],
                        FailureStage.VALIDATE,
                        "EmptyValue",
                        List.of("record value is empty (0 bytes): a frame is required")),
                new Poison(
                        "null key",
                        null,
                        goodBytes,
                        FailureStage.VALIDATE,
                        "NullKey",
                        List.of("record key is null: frames must be keyed by their source id")),
                new Poison(
                        "wrong magic byte",
                        key,
                        wrongMagic,
                        FailureStage.DESERIALIZE,
                        "WrongMagicByteException",
                        List.of("first byte is 0x07, not the Confluent wire format's magic byte 0x00")),
                new Poison(
                        "unknown schema id",
                        key,
                        unknownId,
                        FailureStage.DESERIALIZE,
                        "UnknownSchemaIdException",
                        List.of("schema id " + 0x7fff0000 + " is unknown to the Schema Registry")),
                new Poison(
                        "frame one byte over max.frame.bytes (the topic still accepts it)",
                        key,
                        oversized,
                        FailureStage.VALIDATE,
                        "FrameTooLarge",
                        List.of("frame record is " + (maxFrameBytes + 1) + " bytes, over max.frame.bytes="
                                + maxFrameBytes)),
                new Poison(
                        "absurd dimensions (100000x1 PNG)",
                        key,
                        frame(frames, topic, good, ImageEncoding.PNG, 100_000, 1, wide),
                        FailureStage.VALIDATE,
                        "ImageDecodeException",
                        List.of("SIDE_TOO_LARGE: ", "PNG is 100000x1", "decode.max-side) of 16384")),
                new Poison(
                        "1x1 PNG declared " + w + "x" + h,
                        key,
                        frame(frames, topic, good, ImageEncoding.PNG, w, h, onePixel),
                        FailureStage.VALIDATE,
                        "ImageDecodeException",
                        List.of("DIMENSION_MISMATCH: producer declared " + w + "x" + h + " but the PNG is 1x1")),
                new Poison(
                        "random bytes declared as a JPEG",
                        key,
                        frame(frames, topic, good, ImageEncoding.JPEG, w, h, noiseImage),
                        FailureStage.VALIDATE,
                        "ImageDecodeException",
                        List.of("FORMAT_MISMATCH: declared JPEG but the data starts with")));
    }

    private static int schemaId(byte[] wire) {
        return ByteBuffer.wrap(wire, 1, 4).getInt();
    }

    private static byte[] frame(
            TestFrames frames, String topic, Frame good, ImageEncoding encoding, int width, int height, byte[] image) {
        return frames.serialize(
                topic,
                Frame.newBuilder(good)
                        .setEncoding(encoding)
                        .setWidth(width)
                        .setHeight(height)
                        .setImage(ByteBuffer.wrap(image))
                        .build());
    }

    /** A well-formed frame record of exactly {@code size} bytes (its image is noise). */
    private static byte[] frameOfExactly(TestFrames frames, String topic, Frame good, int size) {
        byte[] image = new byte[size];
        new SplittableRandom(31).nextBytes(image);
        int length = size;
        for (int attempt = 0; attempt < 4; attempt++) {
            byte[] record = frame(
                    frames,
                    topic,
                    good,
                    ImageEncoding.JPEG,
                    good.getWidth(),
                    good.getHeight(),
                    Arrays.copyOf(image, length));
            if (record.length == size) {
                return record;
            }
            length -= record.length - size;
        }
        throw new IllegalStateException("could not build a frame record of exactly " + size + " bytes");
    }

    /** An RGB image whose pixels vary, so its PNG has real scanlines to inflate. */
    private static DecodedImage gradient(int width, int height) {
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 7);
        }
        return new DecodedImage(width, height, rgb);
    }

    /**
     * A PNG whose header lies about its size: the signature and IHDR chunk (CRC intact) of a {@code
     * width x claimedHeight} image, followed by the chunks of a {@code width x height} one.
     */
    private static byte[] pngClaimingHeight(int width, int height, int claimedHeight) {
        byte[] claimed = ImageEncoder.png(gradient(width, claimedHeight));
        byte[] real = ImageEncoder.png(gradient(width, height));
        int afterIhdr = 8 + 4 + 4 + 13 + 4; // signature, then IHDR's length, type, body and CRC
        byte[] lying = real.clone();
        System.arraycopy(claimed, 0, lying, 0, afterIhdr);
        return lying;
    }

    /** A valid 1-bit PNG of zeros: {@code width * height} pixels in about {@code width * height / 8000} bytes. */
    private static byte[] zeroPng(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_BINARY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
