package io.visionstream.inference.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.inference.image.ImageDecodeException.Reason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder(DecodeLimits.defaults());

    private static void assertRefused(ThrowingCallable call, Reason reason, String... messageParts) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        ImageDecodeException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageStartingWith(reason + ": ")
                .hasMessageContainingAll(messageParts);
    }

    private static byte[] png() {
        return Fixtures.bytes("rgb_80x60.png");
    }

    private static byte[] jpeg() {
        return Fixtures.bytes("rgb_96x64.jpg");
    }

    /** Rewrites the IHDR size of a PNG and fixes the IHDR CRC, so only the size lies. */
    private static byte[] withIhdrSize(byte[] png, int width, int height) {
        byte[] b = png.clone();
        ByteBuffer.wrap(b, 16, 8).putInt(width).putInt(height);
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17);
        ByteBuffer.wrap(b, 29, 4).putInt((int) crc.getValue());
        return b;
    }

    @Test
    void emptyFrameIsRefused() {
        assertRefused(() -> decoder.decode(new byte[0]), Reason.EMPTY, "0 bytes");
    }

    @Test
    void randomBytesAreNotAnImage() {
        byte[] noise = new byte[4096];
        new SplittableRandom(7).nextBytes(noise);
        noise[0] = 0x13; // make sure no signature appears by chance
        assertRefused(() -> decoder.decode(noise), Reason.UNSUPPORTED_FORMAT, "neither a JPEG nor a PNG", "4096 bytes");
    }

    @Test
    void frameOverTheByteLimitIsRefusedBeforeParsing() {
        ImageDecoder small = new ImageDecoder(new DecodeLimits(1000, 1_000_000, 1000));
        byte[] data = png();
        assertRefused(
                () -> small.decode(data),
                Reason.TOO_LARGE_BYTES,
                "frame has " + data.length + " bytes",
                "decode.max-bytes",
                "1000");
    }

    @Test
    void truncatedJpegIsRefusedAsTruncated() {
        byte[] data = Arrays.copyOf(jpeg(), jpeg().length / 2);
        assertRefused(() -> decoder.decode(data), Reason.TRUNCATED, "does not end with the EOI marker");
    }

    @Test
    void jpegCutShortWithAnEoiAppendedIsRefusedByTheDecoderWarning() {
        byte[] full = jpeg();
        byte[] data = Arrays.copyOf(full, full.length / 2 + 2);
        data[data.length - 2] = (byte) 0xFF;
        data[data.length - 1] = (byte) 0xD9;
        // ImageIO returns the rows it could decode and only warns; the warning must become the error.
        assertRefused(
                () -> decoder.decode(data), Reason.TRUNCATED, "JPEG decoder warned", "premature end of data segment");
    }

    @Test
    void truncatedPngIsRefusedAsTruncated() {
        byte[] data = Arrays.copyOf(png(), png().length - 100);
        assertRefused(() -> decoder.decode(data), Reason.TRUNCATED, "PNG chunk 'IDAT'", "declares");
    }

    @Test
    void pngMissingOnlyIendIsRefusedAsTruncated() {
        byte[] data = Arrays.copyOf(png(), png().length - 12);
        assertRefused(() -> decoder.decode(data), Reason.TRUNCATED, "without an IEND chunk");
    }

    @Test
    void pngWhoseHeaderClaimsMoreRowsThanItsDataHoldsIsCorrupt() {
        // 60 rows of 1 + 80*3 bytes were compressed; the header now claims 90 rows.
        byte[] data = withIhdrSize(png(), 80, 90);
        assertRefused(() -> decoder.decode(data), Reason.CORRUPT, "inflates to 14460 bytes", "80x90", "implies 21690");
    }

    @Test
    void pngWhoseHeaderClaimsFewerRowsThanItsDataHoldsIsCorrupt() {
        byte[] data = withIhdrSize(png(), 80, 30);
        assertRefused(() -> decoder.decode(data), Reason.CORRUPT, "more bytes than its IHDR header implies");
    }

    @Test
    void pngWithABadCrcIsCorrupt() {
        byte[] data = png().clone();
        data[40] ^= 0x55; // inside the first IDAT body
        assertRefused(() -> decoder.decode(data), Reason.CORRUPT, "CRC");
    }

    @Test
    void zeroByZeroPngIsRefused() {
        byte[] data = new PngBuilder().ihdr(0, 0, 8, 2).iend().bytes();
        assertRefused(() -> decoder.decode(data), Reason.ZERO_SIZE, "0x0");
    }

    @Test
    void hugePngHeaderIsRefusedBeforeAnythingElseIsRead() {
        // Only a header: had the decoder gone on, it would have failed on the missing IDAT instead.
        byte[] data = new PngBuilder().ihdr(100_000, 100_000, 8, 2).iend().bytes();
        assertRefused(() -> decoder.decode(data), Reason.SIDE_TOO_LARGE, "100000x100000", "decode.max-side", "16384");
    }

    @Test
    void hugePngHeaderWithinSideLimitIsRefusedByPixelCount() {
        ImageDecoder wide = new ImageDecoder(new DecodeLimits(DecodeLimits.DEFAULT_MAX_BYTES, 50_000_000L, 200_000));
        byte[] data = new PngBuilder().ihdr(100_000, 100_000, 8, 2).iend().bytes();
        assertRefused(
                () -> wide.decode(data), Reason.TOO_MANY_PIXELS, "10000000000 pixels", "decode.max-pixels", "50000000");
    }

    @Test
    void decompressionBombIsRefusedByThePixelLimit() {
        // A valid 16000x16000 1-bit gray PNG of zeros: 32 MB of scanlines deflated to a few tens of KB.
        byte[] bomb = new PngBuilder()
                .ihdr(16_000, 16_000, 1, 0)
                .zeroIdat(16_000, 2000)
                .iend()
                .bytes();
        assertThat(bomb.length).isLessThan(64 * 1024);
        assertRefused(() -> decoder.decode(bomb), Reason.TOO_MANY_PIXELS, "16000x16000", "256000000 pixels");
    }

    @Test
    void bombShapedPngWithinLimitsDecodes() throws ImageDecodeException {
        // The same construction at a size the limits allow decodes, so the refusal above is the limit's doing.
        byte[] small =
                new PngBuilder().ihdr(160, 160, 1, 0).zeroIdat(160, 20).iend().bytes();
        DecodedImage img = decoder.decode(small);
        assertThat(img.width()).isEqualTo(160);
        assertThat(img.rgb()).containsOnly((byte) 0);
    }

    @Test
    void sixteenBitGrayPngIsRefusedClearly() {
        byte[] data = new PngBuilder().ihdr(4, 4, 16, 0).zeroIdat(4, 8).iend().bytes();
        assertRefused(() -> decoder.decode(data), Reason.UNSUPPORTED_FORMAT, "16-bit grayscale");
    }

    @Test
    void rawFrameOfTheRightLengthIsCopiedAsIs() throws ImageDecodeException {
        byte[] raw = new byte[5 * 4 * 3];
        new SplittableRandom(3).nextBytes(raw);
        DecodedImage img = decoder.decode(raw, FrameFormat.RAW_RGB8, 5, 4);
        assertThat(img.rgb()).isEqualTo(raw).isNotSameAs(raw);
        assertThat(img.sample(4, 3, 2)).isEqualTo(raw[59] & 0xFF);
    }

    @Test
    void rawFrameOfTheWrongLengthIsRefused() {
        byte[] raw = new byte[5 * 4 * 3 - 1];
        assertRefused(
                () -> decoder.decode(raw, FrameFormat.RAW_RGB8, 5, 4),
                Reason.RAW_LENGTH_MISMATCH,
                "5x4 needs 60 bytes, got 59");
    }

    @Test
    void rawFrameWithoutDimensionsIsRefused() {
        assertRefused(() -> decoder.decode(new byte[12], FrameFormat.RAW_RGB8), Reason.DIMENSIONS_REQUIRED, "12 bytes");
    }

    @Test
    void rawFrameOverThePixelLimitIsRefused() {
        ImageDecoder tiny = new ImageDecoder(new DecodeLimits(1 << 20, 10, 100));
        assertRefused(
                () -> tiny.decode(new byte[4 * 4 * 3], FrameFormat.RAW_RGB8, 4, 4),
                Reason.TOO_MANY_PIXELS,
                "16 pixels");
    }

    @Test
    void declaredSizeThatDiffersFromThePngIsAMismatch() {
        assertRefused(
                () -> decoder.decode(png(), FrameFormat.PNG, 60, 80),
                Reason.DIMENSION_MISMATCH,
                "declared 60x80",
                "PNG is 80x60");
    }

    @Test
    void declaredSizeOfAnExifRotatedJpegIsTheDisplayedSize() throws ImageDecodeException {
        byte[] data = Fixtures.bytes("exif6_90x60.jpg");
        assertThat(decoder.decode(data, FrameFormat.JPEG, 60, 90).width()).isEqualTo(60);
        assertRefused(() -> decoder.decode(data, FrameFormat.JPEG, 90, 60), Reason.DIMENSION_MISMATCH, "orientation 6");
    }

    @Test
    void pngDeclaredAsJpegIsAFormatMismatch() {
        assertRefused(
                () -> decoder.decode(png(), FrameFormat.JPEG), Reason.FORMAT_MISMATCH, "declared JPEG", "89 50 4E 47");
    }

    @Test
    void interlacedPngDecodesToTheSamePixels() throws Exception {
        DecodedImage plain = decoder.decode(png());
        BufferedImage bi = new BufferedImage(plain.width(), plain.height(), BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < plain.height(); y++) {
            for (int x = 0; x < plain.width(); x++) {
                bi.setRGB(x, y, (plain.sample(x, y, 0) << 16) | (plain.sample(x, y, 1) << 8) | plain.sample(x, y, 2));
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT); // Adam7
            writer.write(null, new IIOImage(bi, null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] interlaced = bytes.toByteArray();
        assertThat(interlaced[28]).as("IHDR interlace method").isEqualTo((byte) 1);
        assertThat(decoder.decode(interlaced).rgb()).isEqualTo(plain.rgb());
    }

    @Test
    void reasonsNameTheirDeadLetterStage() {
        assertThat(Reason.CORRUPT.stage()).isEqualTo("decode");
        assertThat(Reason.TRUNCATED.stage()).isEqualTo("decode");
        assertThat(Reason.TOO_MANY_PIXELS.stage()).isEqualTo("validate");
        assertThat(Reason.RAW_LENGTH_MISMATCH.stage()).isEqualTo("validate");
    }

    @Test
    void limitsRejectNonPositiveValuesNamingTheKey() {
        assertThatThrownBy(() -> new DecodeLimits(0, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("decode.max-bytes must be at least 1, got 0");
        assertThatThrownBy(() -> new DecodeLimits(1, 1, -5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("decode.max-side must be at least 1, got -5");
    }
}
