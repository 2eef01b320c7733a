package io.visionstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RegistryClientConfigTest {

    @Test
    void missingUrlFailsNamingTheKey() {
        assertThatThrownBy(() -> RegistryClientConfig.fromMap(Map.of()))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.key()).isEqualTo("schema.registry.url"))
                .hasMessage("Invalid configuration 'schema.registry.url': missing; set it to the Schema Registry's URL,"
                        + " e.g. http://localhost:8081");
    }

    @Test
    void urlWithAnotherSchemeFailsNamingKeyAndValue() {
        assertThatThrownBy(() -> RegistryClientConfig.of("ftp://registry:8081"))
                .hasMessage(
                        "Invalid configuration 'schema.registry.url': 'ftp://registry:8081' must start with http://,"
                                + " https:// or mock://");
    }

    @Test
    void defaultsFollowConfluentsClient() {
        RegistryClientConfig config = RegistryClientConfig.of("http://a:8081, http://b:8081/");
        assertThat(config.urls()).containsExactly(URI.create("http://a:8081"), URI.create("http://b:8081/"));
        assertThat(config.credentials()).isEmpty();
        assertThat(config.maxRetries()).isEqualTo(3);
        assertThat(config.retryWait()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.retryMaxWait()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.latestCacheTtl()).isEqualTo(Duration.ofSeconds(-1));
    }

    @Test
    void urlsMayComeAsAList() {
        RegistryClientConfig config =
                RegistryClientConfig.fromMap(Map.of(RegistryClientConfig.URL, List.of("http://a:1", "http://b:2")));
        assertThat(config.urls()).containsExactly(URI.create("http://a:1"), URI.create("http://b:2"));
    }

    @Test
    void userInfoSourceNeedsUserInfo() {
        assertThatThrownBy(() -> RegistryClientConfig.fromMap(Map.of(
                        RegistryClientConfig.URL,
                        "http://r:8081",
                        RegistryClientConfig.CREDENTIALS_SOURCE,
                        "USER_INFO")))
                .hasMessage(
                        "Invalid configuration 'basic.auth.user.info': missing, but basic.auth.credentials.source is"
                                + " USER_INFO; set it to user:password");
    }

    @Test
    void malformedUserInfoFailsWithoutEchoingIt() {
        assertThatThrownBy(() -> RegistryClientConfig.fromMap(Map.of(
                        RegistryClientConfig.URL,
                        "http://r:8081",
                        RegistryClientConfig.CREDENTIALS_SOURCE,
                        "USER_INFO",
                        RegistryClientConfig.USER_INFO,
                        "justasecret")))
                .hasMessage("Invalid configuration 'basic.auth.user.info': expected 'user:password' (value not shown)");
    }

    @Test
    void prefixedUserInfoKeyIsAccepted() {
        RegistryClientConfig config = RegistryClientConfig.fromMap(Map.of(
                RegistryClientConfig.URL,
                "http://r:8081",
                "schema.registry.basic.auth.credentials.source",
                "USER_INFO",
                "schema.registry.basic.auth.user.info",
                "key:secret"));
        assertThat(config.credentials()).contains(new BasicCredentials("key", "secret"));
    }

    @Test
    void unknownCredentialsSourceFailsNamingKeyAndValue() {
        assertThatThrownBy(() -> RegistryClientConfig.fromMap(Map.of(
                        RegistryClientConfig.URL,
                        "http://r:8081",
                        RegistryClientConfig.CREDENTIALS_SOURCE,
                        "SASL_INHERIT")))
                .hasMessage("Invalid configuration 'basic.auth.credentials.source': expected URL or USER_INFO, got"
                        + " 'SASL_INHERIT' (SASL_INHERIT is not supported)");
    }

    @Test
    void toStringNeverShowsThePassword() {
        RegistryClientConfig fromUserInfo = RegistryClientConfig.fromMap(Map.of(
                RegistryClientConfig.URL,
                "http://r:8081",
                RegistryClientConfig.CREDENTIALS_SOURCE,
                "USER_INFO",
                RegistryClientConfig.USER_INFO,
                "alice:s3cret-pw"));
        RegistryClientConfig fromUrl = RegistryClientConfig.of("http://alice:s3cret-pw@r:8081");
        assertThat(fromUserInfo.toString()).doesNotContain("s3cret-pw").contains("user=alice, password=****");
        assertThat(fromUrl.toString()).doesNotContain("s3cret-pw").contains("urls=[http://r:8081]");
        assertThat(fromUrl.credentials()).contains(new BasicCredentials("alice", "s3cret-pw"));
    }

    @Test
    void badUrlMessageHidesUserInfo() {
        assertThatThrownBy(() -> RegistryClientConfig.of("gopher://alice:s3cret-pw@r:8081"))
                .hasMessage(
                        "Invalid configuration 'schema.registry.url': 'gopher://****@r:8081' must start with http://,"
                                + " https:// or mock://");
    }

    @Test
    void nonNumericRetriesFailNamingKeyAndValue() {
        assertThatThrownBy(() -> RegistryClientConfig.fromMap(
                        Map.of(RegistryClientConfig.URL, "http://r:8081", RegistryClientConfig.MAX_RETRIES, "many")))
                .hasMessage("Invalid configuration 'max.retries': expected a whole number, got 'many'");
    }

    @Test
    void mockUrlNamesItsScope() {
        RegistryClientConfig config = RegistryClientConfig.of("mock://unit-tests");
        assertThat(config.isMock()).isTrue();
        assertThat(config.mockScope()).isEqualTo("unit-tests");
        assertThat(config.credentials()).isEqualTo(Optional.empty());
    }

    @Test
    void mockUrlCannotBeMixedWithOthers() {
        assertThatThrownBy(() -> RegistryClientConfig.of("mock://a,http://r:8081"))
                .hasMessage("Invalid configuration 'schema.registry.url': a mock:// URL must be the only URL, got"
                        + " [mock://a, http://r:8081]");
    }

    @Test
    void unreadableTruststoreFailsNamingTheKey() {
        assertThatThrownBy(() -> RegistryClientConfig.fromMap(Map.of(
                        RegistryClientConfig.URL,
                        "https://r:8081",
                        SslSettings.TRUSTSTORE_LOCATION,
                        "/nonexistent/truststore.p12")))
                .hasMessage("Invalid configuration 'schema.registry.ssl.truststore.location': cannot read file"
                        + " '/nonexistent/truststore.p12'");
    }
}
