package io.visionstream.app.view;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.visionstream.topology.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The viewer's web server, on the JDK's {@code com.sun.net.httpserver}:
 *
 * <ul>
 *   <li>{@code GET /}: the page (a grid of the cameras, the legend, counters), which follows {@code
 *       /events} and loads each camera's latest picture when its version changes;
 *   <li>{@code GET /state}: the current {@link Snapshot} as JSON;
 *   <li>{@code GET /events}: Server-Sent Events, one {@link Snapshot} as JSON per change;
 *   <li>{@code GET /cameras/ID.jpg}: a camera's latest picture;
 *   <li>{@code GET /cameras/ID.mjpg}: a camera's pictures as they come, Motion JPEG ({@code
 *       multipart/x-mixed-replace}), each part with an {@code X-Sequence} header (the frame's sequence number).
 * </ul>
 *
 * <p>The page uses events plus single pictures rather than one MJPEG stream per camera because a browser
 * opens at most six connections to one host: a page of more cameras would stall. Every picture is
 * encoded once, by the consumer thread; the server only copies bytes. Long-lived responses (events and
 * MJPEG) are limited to {@value #MAX_STREAMS} at a time; beyond that a client gets 503.
 *
 * <p>Thread-safe; close it to stop serving.
 */
final class ViewerServer implements AutoCloseable {

    static final int MAX_STREAMS = 32;

    /** A stream with nothing new sends a keep-alive this often, so proxies and clients see it alive. */
    private static final long KEEP_ALIVE_MS = 15_000;

    private static final String BOUNDARY = "visionstream-picture";

    private final HttpServer server;
    private final ExecutorService executor;
    private final PictureBoard board;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    private final ObjectMapper json = new ObjectMapper();
    private final byte[] page;

    private ViewerServer(HttpServer server, ExecutorService executor, PictureBoard board) {
        this.server = server;
        this.executor = executor;
        this.board = board;
        this.page = resource("index.html");
    }

    /**
     * Binds {@code host:port} and starts serving {@code board}.
     *
     * @param port 0 for any free port
     * @param setting the name of the port's setting, for the one-line error when the port is taken
     * @throws ConfigException naming the setting and the port when it is in use or cannot be bound
     */
    static ViewerServer start(String host, int port, String setting, PictureBoard board) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (BindException e) {
            throw new ConfigException(
                    String.valueOf(e.getMessage()).contains("in use")
                            ? setting + " " + port + " is already in use"
                            : setting + " " + port + " cannot be bound on " + host + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("the viewer's web server did not start on " + host + ":" + port, e);
        }
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "viewer-http");
            t.setDaemon(true);
            return t;
        });
        ViewerServer viewer = new ViewerServer(server, executor, board);
        server.createContext("/", viewer::handle);
        server.setExecutor(executor);
        server.start();
        return viewer;
    }

    /** The port it listens on (the actual one when 0 was asked for). */
    int port() {
        return server.getAddress().getPort();
    }

    /** Ends the streams, then stops the server and its threads. */
    @Override
    public void close() {
        board.close();
        server.stop(1);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(
                        exchange,
                        405,
                        "text/plain; charset=utf-8",
                        "only GET and HEAD\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/")) {
                send(exchange, 200, "text/html; charset=utf-8", page);
            } else if (path.equals("/state")) {
                send(exchange, 200, "application/json", snapshotJson());
            } else if (path.equals("/events")) {
                stream(exchange, this::events);
            } else if (path.startsWith("/cameras/") && path.endsWith(".mjpg")) {
                String camera = path.substring("/cameras/".length(), path.length() - ".mjpg".length());
                if (isKnown(camera)) {
                    stream(exchange, e -> motionJpeg(e, camera));
                } else {
                    notFound(exchange, "no camera '" + camera + "' yet");
                }
            } else if (path.startsWith("/cameras/") && path.endsWith(".jpg")) {
                PictureBoard.Picture picture =
                        board.picture(path.substring("/cameras/".length(), path.length() - ".jpg".length()));
                if (picture == null) {
                    notFound(exchange, "no picture of that camera yet");
                } else {
                    exchange.getResponseHeaders().set("X-Sequence", String.valueOf(picture.sequence()));
                    send(exchange, 200, "image/jpeg", picture.jpeg());
                }
            } else {
                notFound(exchange, "nothing at " + path);
            }
        } catch (IOException e) {
            // The client went away mid-response; there is no one left to tell.
        } finally {
            exchange.close();
        }
    }

    @FunctionalInterface
    private interface Stream {
        void run(HttpExchange exchange) throws IOException, InterruptedException;
    }

    private void stream(HttpExchange exchange, Stream body) throws IOException {
        if (!streams.tryAcquire()) {
            send(
                    exchange,
                    503,
                    "text/plain; charset=utf-8",
                    ("the viewer serves at most " + MAX_STREAMS + " streams at a time\n")
                            .getBytes(StandardCharsets.UTF_8));
            return;
        }
        try {
            body.run(exchange);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.release();
        }
    }

    /** Sends the snapshot now and after every change of it, until the client leaves or the board closes. */
    private void events(HttpExchange exchange) throws IOException, InterruptedException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        long sentVersion = -1;
        long seen = board.changes();
        while (seen >= 0) {
            Snapshot snapshot = board.snapshot();
            if (snapshot.version() != sentVersion) {
                out.write("data: ".getBytes(StandardCharsets.UTF_8));
                out.write(json.writeValueAsBytes(snapshot));
                out.write("\n\n".getBytes(StandardCharsets.UTF_8));
                sentVersion = snapshot.version();
            } else {
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            seen = board.awaitChange(seen, KEEP_ALIVE_MS);
        }
    }

    /** Sends the camera's picture now and every new one after it, as the parts of one multipart response. */
    private void motionJpeg(HttpExchange exchange, String camera) throws IOException, InterruptedException {
        exchange.getResponseHeaders().set("Content-Type", "multipart/x-mixed-replace; boundary=" + BOUNDARY);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        long sentVersion = 0;
        long seen = board.changes();
        while (seen >= 0) {
            PictureBoard.Picture picture = board.picture(camera);
            if (picture != null && picture.version() != sentVersion) {
                String head = "--" + BOUNDARY + "\r\nContent-Type: image/jpeg\r\nContent-Length: "
                        + picture.jpeg().length + "\r\nX-Sequence: " + picture.sequence()
                        + "\r\n\r\n";
                out.write(head.getBytes(StandardCharsets.UTF_8));
                out.write(picture.jpeg());
                out.write("\r\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                sentVersion = picture.version();
            }
            seen = board.awaitChange(seen, KEEP_ALIVE_MS);
        }
    }

    private boolean isKnown(String camera) {
        return board.picture(camera) != null
                || board.snapshot().cameras().stream().anyMatch(c -> c.id().equals(camera));
    }

    private byte[] snapshotJson() {
        try {
            return json.writeValueAsBytes(board.snapshot());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a snapshot could not be written as JSON", e);
        }
    }

    private static void notFound(HttpExchange exchange, String why) throws IOException {
        send(exchange, 404, "text/plain; charset=utf-8", (why + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            exchange.getResponseBody().write(body);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = ViewerServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the viewer's " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the viewer's " + name, e);
        }
    }
}
