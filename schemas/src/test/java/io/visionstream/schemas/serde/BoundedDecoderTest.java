package io.visionstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

class BoundedDecoderTest {

    private static BoundedDecoder over(byte... body) {
        return new BoundedDecoder(DecoderFactory.get().binaryDecoder(body, null), body.length);
    }

    @Test
    void readsStringsAndBytesThatFit() throws IOException {
        BoundedDecoder in = over((byte) 6, (byte) 'a', (byte) 'b', (byte) 'c', (byte) 4, (byte) 9, (byte) 8);

        assertThat(in.readString()).isEqualTo("abc");
        assertThat(in.readBytes(null).array()).containsExactly(9, 8);
        assertThat(in.isEnd()).isTrue();
    }

    @Test
    void negativeLengthIsRejected() {
        assertThatThrownBy(() -> over((byte) 1).readBytes(null))
                .isInstanceOf(IOException.class)
                .hasMessage("bytes field declares a length of -1 bytes in a body of 1");
    }

    @Test
    void arrayBlockLargerThanBodyIsRejected() {
        // 1,000,000 items (zig-zag varint 80 89 7a) declared in a 3-byte body.
        assertThatThrownBy(() -> over((byte) 0x80, (byte) 0x89, (byte) 0x7a).readArrayStart())
                .isInstanceOf(IOException.class)
                .hasMessage("array block declares 1000000 items in a body of 3 bytes");
    }

    @Test
    void mapBlockLargerThanBodyIsRejected() {
        assertThatThrownBy(() -> over((byte) 0x80, (byte) 0x89, (byte) 0x7a).readMapStart())
                .isInstanceOf(IOException.class)
                .hasMessage("map block declares 1000000 items in a body of 3 bytes");
    }
}
