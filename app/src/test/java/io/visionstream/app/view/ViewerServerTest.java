package io.visionstream.app.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.visionstream.topology.config.ConfigException;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ViewerServerTest {

    private final PictureBoard board = new PictureBoard();
    private ViewerServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    private HttpURLConnection get(String path) throws Exception {
        if (server == null) {
            server = ViewerServer.start("127.0.0.1", 0, "--port", board);
        }
        var connection = (HttpURLConnection)
                URI.create("http://127.0.0.1:" + server.port() + path).toURL().openConnection();
        connection.setReadTimeout(10_000);
        return connection;
    }

    private static Snapshot snapshotWith(long version, String camera, long picture) {
        return new Snapshot(
                version,
                new Snapshot.Counters(3, 2, 1, 0, 0, 0, 0),
                List.of(new Snapshot.LegendEntry(1, "circle", "#800000")),
                List.of(new Snapshot.CameraView(camera, picture, 7, "OK", "circle", 0.875f, 5.0, 120.0)));
    }

    @Test
    void aPortInUseStopsTheStartWithOneLineNamingTheSettingAndThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> ViewerServer.start("0.0.0.0", port, "--port", board))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("--port " + port + " is already in use");
        }
    }

    @Test
    void theRootIsTheHtmlPage() throws Exception {
        var page = get("/");

        assertThat(page.getResponseCode()).isEqualTo(200);
        assertThat(page.getContentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(new String(page.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("<title>visionstream · live viewer</title>")
                .contains("new EventSource(\"/events\")");
    }

    @Test
    void stateIsTheSnapshotAsJson() throws Exception {
        board.publish(snapshotWith(4, "cam-0", 1));

        var state = get("/state");

        assertThat(state.getContentType()).isEqualTo("application/json");
        JsonNode json = new ObjectMapper().readTree(state.getInputStream());
        assertThat(json.get("version").asLong()).isEqualTo(4);
        assertThat(json.at("/counters/deadLetters").asLong()).isEqualTo(1);
        assertThat(json.at("/legend/0/colour").asText()).isEqualTo("#800000");
        assertThat(json.at("/cameras/0/id").asText()).isEqualTo("cam-0");
        assertThat(json.at("/cameras/0/label").asText()).isEqualTo("circle");
        assertThat(json.at("/cameras/0/framesPerSecond").asDouble()).isEqualTo(5.0);
        assertThat(json.at("/cameras/0/latencyMs").asDouble()).isEqualTo(120.0);
    }

    @Test
    void aCamerasLatestPictureIsServedAsPublishedWithItsSequence() throws Exception {
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, 1, 2, 3};
        board.publish(new PictureBoard.Picture("cam 1", 9, 42, jpeg));

        var picture = get("/cameras/cam%201.jpg");

        assertThat(picture.getResponseCode()).isEqualTo(200);
        assertThat(picture.getContentType()).isEqualTo("image/jpeg");
        assertThat(picture.getHeaderField("X-Sequence")).isEqualTo("42");
        assertThat(picture.getInputStream().readAllBytes()).isEqualTo(jpeg);
    }

    @Test
    void anUnknownCameraOrPathIsNotFound() throws Exception {
        assertThat(get("/cameras/nobody.jpg").getResponseCode()).isEqualTo(404);
        assertThat(get("/cameras/nobody.mjpg").getResponseCode()).isEqualTo(404);
        assertThat(get("/favicon.ico").getResponseCode()).isEqualTo(404);
    }

    @Test
    void anythingButGetIsRefused() throws Exception {
        var post = get("/state");
        post.setRequestMethod("POST");

        assertThat(post.getResponseCode()).isEqualTo(405);
        assertThat(post.getHeaderField("Allow")).isEqualTo("GET, HEAD");
    }

    @Test
    void motionJpegSendsTheLatestPictureAndThenEachNewOneAsAPart() throws Exception {
        board.publish(new PictureBoard.Picture("cam-0", 1, 10, new byte[] {1, 1}));
        var stream = get("/cameras/cam-0.mjpg");

        assertThat(stream.getContentType()).isEqualTo("multipart/x-mixed-replace; boundary=visionstream-picture");
        DataInputStream in = new DataInputStream(stream.getInputStream());
        Map<String, String> first = partHeaders(in);
        assertThat(first).containsEntry("Content-Type", "image/jpeg").containsEntry("X-Sequence", "10");
        assertThat(in.readNBytes(Integer.parseInt(first.get("Content-Length")))).containsExactly(1, 1);

        board.publish(new PictureBoard.Picture("cam-0", 2, 11, new byte[] {2, 2, 2}));
        Map<String, String> second = partHeaders(in);
        assertThat(second).containsEntry("X-Sequence", "11").containsEntry("Content-Length", "3");
        assertThat(in.readNBytes(3)).containsExactly(2, 2, 2);
    }

    @Test
    void eventsSendTheSnapshotAndThenEachNewOne() throws Exception {
        board.publish(snapshotWith(1, "cam-0", 0));
        var events = get("/events");

        assertThat(events.getContentType()).isEqualTo("text/event-stream; charset=utf-8");
        var lines = new BufferedReader(new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8));
        assertThat(dataOf(lines).get("version").asLong()).isEqualTo(1);

        board.publish(snapshotWith(2, "cam-0", 5));
        JsonNode next = dataOf(lines);
        assertThat(next.get("version").asLong()).isEqualTo(2);
        assertThat(next.at("/cameras/0/picture").asLong()).isEqualTo(5);
    }

    @Test
    void closingEndsTheOpenStreams() throws Exception {
        board.publish(snapshotWith(1, "cam-0", 0));
        var events = get("/events");
        InputStream in = events.getInputStream();
        in.readNBytes(6); // "data: "

        server.close();

        in.readAllBytes(); // returns once the server ends the response
        server = null;
    }

    private static JsonNode dataOf(BufferedReader lines) throws Exception {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith("data: ")) {
                return new ObjectMapper().readTree(line.substring("data: ".length()));
            }
        }
        throw new AssertionError("the event stream ended");
    }

    /** Reads a multipart boundary line and the part's headers, up to the blank line. */
    private static Map<String, String> partHeaders(DataInputStream in) throws Exception {
        String boundary = line(in);
        if (boundary.isEmpty()) {
            boundary = line(in); // the CRLF that ends the previous part
        }
        assertThat(boundary).isEqualTo("--visionstream-picture");
        Map<String, String> headers = new HashMap<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return headers;
    }

    private static String line(DataInputStream in) throws Exception {
        StringBuilder s = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new AssertionError("the stream ended");
            }
            if (b != '\r') {
                s.append((char) b);
            }
        }
        return s.toString();
    }
}
