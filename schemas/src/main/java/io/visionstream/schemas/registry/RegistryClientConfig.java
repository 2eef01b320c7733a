package io.visionstream.schemas.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the Schema Registry, read from the same keys as Confluent's clients.
 *
 * <table>
 *   <caption>Configuration keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code schema.registry.url}</td><td>required</td><td>comma-separated {@code http(s)://} URLs
 *       (tried in turn when one fails), or a single {@code mock://scope}</td></tr>
 *   <tr><td>{@code basic.auth.credentials.source}</td><td>{@code URL}</td><td>{@code URL} (user info in
 *       the URL) or {@code USER_INFO}</td></tr>
 *   <tr><td>{@code basic.auth.user.info}</td><td>none</td><td>{@code user:password}, with source
 *       {@code USER_INFO}</td></tr>
 *   <tr><td>{@code schema.registry.ssl.*}</td><td>JDK default</td><td>see {@link SslSettings}</td></tr>
 *   <tr><td>{@code max.retries}</td><td>3</td><td>retries after a 5xx/429 answer or a connection
 *       error</td></tr>
 *   <tr><td>{@code retries.wait.ms}</td><td>1000</td><td>first backoff, doubled per retry</td></tr>
 *   <tr><td>{@code retries.max.wait.ms}</td><td>20000</td><td>cap of one backoff</td></tr>
 *   <tr><td>{@code http.connect.timeout.ms}</td><td>10000</td><td>TCP/TLS connect timeout</td></tr>
 *   <tr><td>{@code http.read.timeout.ms}</td><td>30000</td><td>timeout of one request</td></tr>
 *   <tr><td>{@code latest.cache.ttl.sec}</td><td>-1</td><td>how long a subject's latest version is
 *       cached; -1 forever, 0 never</td></tr>
 * </table>
 *
 * <p>{@code schema.registry.basic.auth.*} is accepted as well as {@code basic.auth.*}. {@link #toString()}
 * never shows a password.
 *
 * @param urls base URLs, without user info
 * @param credentials basic-auth credentials, if any
 * @param ssl trust and key stores for HTTPS
 * @param maxRetries retries after the first attempt, at least 0
 * @param retryWait first backoff, positive
 * @param retryMaxWait cap of one backoff, at least {@code retryWait}
 * @param connectTimeout connect timeout, positive
 * @param requestTimeout timeout of one request, positive
 * @param latestCacheTtl how long {@code latest} versions are cached; negative means forever
 */
public record RegistryClientConfig(
        List<URI> urls,
        Optional<BasicCredentials> credentials,
        SslSettings ssl,
        int maxRetries,
        Duration retryWait,
        Duration retryMaxWait,
        Duration connectTimeout,
        Duration requestTimeout,
        Duration latestCacheTtl) {

    public static final String URL = "schema.registry.url";
    public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String USER_INFO = "basic.auth.user.info";
    public static final String MAX_RETRIES = "max.retries";
    public static final String RETRIES_WAIT_MS = "retries.wait.ms";
    public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
    public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";
    public static final String LATEST_CACHE_TTL_SEC = "latest.cache.ttl.sec";

    private static final String PREFIX = "schema.registry.";

    public RegistryClientConfig {
        urls = List.copyOf(urls);
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(ssl, "ssl");
        if (urls.isEmpty()) {
            throw new InvalidConfigException(URL, "at least one URL is required");
        }
        long mocks = urls.stream().filter(u -> "mock".equals(u.getScheme())).count();
        if (mocks > 0 && urls.size() > 1) {
            throw new InvalidConfigException(URL, "a mock:// URL must be the only URL, got " + urls);
        }
        for (URI url : urls) {
            if (url.getUserInfo() != null) {
                throw new InvalidConfigException(URL, "user info must be moved into credentials before building");
            }
        }
        if (maxRetries < 0) {
            throw new InvalidConfigException(MAX_RETRIES, "must be at least 0, got " + maxRetries);
        }
        requirePositive(RETRIES_WAIT_MS, retryWait);
        requirePositive(RETRIES_MAX_WAIT_MS, retryMaxWait);
        if (retryMaxWait.compareTo(retryWait) < 0) {
            throw new InvalidConfigException(
                    RETRIES_MAX_WAIT_MS,
                    "must be at least " + RETRIES_WAIT_MS + " (" + retryWait.toMillis() + " ms), got "
                            + retryMaxWait.toMillis() + " ms");
        }
        requirePositive(CONNECT_TIMEOUT_MS, connectTimeout);
        requirePositive(READ_TIMEOUT_MS, requestTimeout);
        Objects.requireNonNull(latestCacheTtl, "latestCacheTtl");
    }

    /** A config for {@code urls} with no credentials, JDK TLS and Confluent's default retries and timeouts. */
    public static RegistryClientConfig of(String urls) {
        return fromMap(Map.of(URL, urls));
    }

    /**
     * Reads the keys listed on the class; other keys are ignored.
     *
     * @throws InvalidConfigException naming the key of the first missing or malformed value
     */
    public static RegistryClientConfig fromMap(Map<String, ?> config) {
        List<String> texts = ConfigValues.list(config, URL);
        if (texts.isEmpty()) {
            throw new InvalidConfigException(
                    URL, "missing; set it to the Schema Registry's URL, e.g. http://localhost:8081");
        }
        List<URI> urls = new ArrayList<>();
        String urlUserInfo = null;
        for (String text : texts) {
            URI uri = parseUrl(text);
            if (uri.getRawUserInfo() != null && urlUserInfo == null) {
                urlUserInfo = java.net.URLDecoder.decode(uri.getRawUserInfo(), java.nio.charset.StandardCharsets.UTF_8);
            }
            urls.add(withoutUserInfo(uri));
        }
        return new RegistryClientConfig(
                urls,
                credentials(config, urlUserInfo),
                SslSettings.fromMap(config),
                (int) ConfigValues.longAtLeast(config, MAX_RETRIES, 3, 0),
                Duration.ofMillis(ConfigValues.longAtLeast(config, RETRIES_WAIT_MS, 1000, 1)),
                Duration.ofMillis(ConfigValues.longAtLeast(config, RETRIES_MAX_WAIT_MS, 20000, 1)),
                Duration.ofMillis(ConfigValues.longAtLeast(config, CONNECT_TIMEOUT_MS, 10000, 1)),
                Duration.ofMillis(ConfigValues.longAtLeast(config, READ_TIMEOUT_MS, 30000, 1)),
                Duration.ofSeconds(ConfigValues.longAtLeast(config, LATEST_CACHE_TTL_SEC, -1, -1)));
    }

    /** Whether this config names an in-memory {@code mock://} registry. */
    public boolean isMock() {
        return "mock".equals(urls.get(0).getScheme());
    }

    /** The scope of a {@code mock://scope} URL. */
    public String mockScope() {
        if (!isMock()) {
            throw new IllegalStateException("not a mock:// config: " + urls);
        }
        URI url = urls.get(0);
        return url.getAuthority() != null
                ? url.getAuthority()
                : url.getSchemeSpecificPart().replaceFirst("^//", "");
    }

    private static Optional<BasicCredentials> credentials(Map<String, ?> config, String urlUserInfo) {
        String sourceKey = config.containsKey(CREDENTIALS_SOURCE) ? CREDENTIALS_SOURCE : PREFIX + CREDENTIALS_SOURCE;
        String userInfoKey = config.containsKey(USER_INFO) ? USER_INFO : PREFIX + USER_INFO;
        String source = ConfigValues.string(config, sourceKey);
        source = source == null ? "URL" : source.toUpperCase(Locale.ROOT);
        switch (source) {
            case "URL":
                return urlUserInfo == null
                        ? Optional.empty()
                        : Optional.of(BasicCredentials.parse(URL + " (user info)", urlUserInfo));
            case "USER_INFO":
                String userInfo = ConfigValues.string(config, userInfoKey);
                if (userInfo == null) {
                    throw new InvalidConfigException(
                            USER_INFO, "missing, but " + CREDENTIALS_SOURCE + " is USER_INFO; set it to user:password");
                }
                return Optional.of(BasicCredentials.parse(userInfoKey, userInfo));
            default:
                throw new InvalidConfigException(
                        sourceKey, "expected URL or USER_INFO, got '" + source + "' (SASL_INHERIT is not supported)");
        }
    }

    private static URI parseUrl(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidConfigException(URL, "'" + redactUserInfo(text) + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "http", "https" -> {
                if (uri.getHost() == null) {
                    throw new InvalidConfigException(URL, "'" + redactUserInfo(text) + "' has no host");
                }
            }
            case "mock" -> {
                if (uri.getSchemeSpecificPart().replaceFirst("^//", "").isEmpty()) {
                    throw new InvalidConfigException(URL, "'" + text + "' has no scope; write mock://<scope>");
                }
            }
            default ->
                throw new InvalidConfigException(
                        URL, "'" + redactUserInfo(text) + "' must start with http://, https:// or mock://");
        }
        return uri;
    }

    private static URI withoutUserInfo(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri;
        }
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw new InvalidConfigException(URL, "cannot strip user info from a URL: " + e.getReason());
        }
    }

    private static String redactUserInfo(String text) {
        return text.replaceFirst("//[^/@]*@", "//****@");
    }

    private static void requirePositive(String key, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new InvalidConfigException(key, "must be positive, got " + value);
        }
    }

    @Override
    public String toString() {
        return "RegistryClientConfig[urls=" + urls + ", credentials="
                + credentials.map(BasicCredentials::toString).orElse("none") + ", ssl=" + ssl + ", maxRetries="
                + maxRetries + ", retryWait=" + retryWait + ", retryMaxWait=" + retryMaxWait + ", connectTimeout="
                + connectTimeout + ", requestTimeout=" + requestTimeout + ", latestCacheTtl=" + latestCacheTtl + "]";
    }
}
