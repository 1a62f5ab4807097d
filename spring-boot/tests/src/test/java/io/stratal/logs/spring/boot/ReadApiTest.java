package io.stratal.logs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stratal.logs.spring.boot.sample.SampleApplication;
import io.stratal.logs.testing.RawHttp;
import io.stratal.logs.testing.TestDatabase;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The read API and the viewer beside the application ({@code stratal.logs.server.enabled=true}), under
 * {@code serve}'s safety rules: loopback and loopback host names only, a token where one is set, and no other
 * address without a token.
 */
@ExtendWith(OutputCaptureExtension.class)
class ReadApiTest {

    private TestDatabase db;
    private ConfigurableApplicationContext app;

    @BeforeEach
    void setUp() {
        db = TestDatabase.create();
    }

    @AfterEach
    void tearDown() {
        if (app != null) {
            app.close();
        }
        db.close();
    }

    private int start(String... more) {
        app = new SpringApplicationBuilder(SampleApplication.class)
                .properties("spring.datasource.url=" + db.url(), "spring.main.web-application-type=none",
                        "stratal.logs.flush-interval=100ms", "stratal.logs.server.enabled=true", "stratal.logs.server.port=0")
                .properties(more).run();
        return app.getBean(StratalLogsServer.class).port();
    }

    private static Map<String, String> host(int port) {
        return Map.of("Host", "127.0.0.1:" + port);
    }

    @Test
    void servesTheApplicationsLogsOnLoopbackAndRefusesAForeignHost() {
        int port = start();
        LoggerFactory.getLogger("com.example.Api").info("read through the API");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                RawHttp.get(port, "/api/v1/logs/system?q=read%20through", host(port)).body().contains("read through the API"));
        assertThat(RawHttp.get(port, "/", host(port)).status()).as("the viewer").isEqualTo(200);
        assertThat(RawHttp.upgrade(port, "/api/v1/logs/stream/ws", "127.0.0.1:" + port, null).status()).as("a WebSocket")
                .isEqualTo(101);
        RawHttp.Answer foreign = RawHttp.get(port, "/api/v1/logs/system", Map.of("Host", "rebind.evil.example:" + port));
        assertThat(foreign.status()).isEqualTo(403);
    }

    @Test
    void aTokenIsRequiredWhereOneIsSet() {
        int port = start("stratal.logs.server.token=s3cret-token");
        assertThat(RawHttp.get(port, "/api/v1/logs/system", host(port)).status()).isEqualTo(401);
        assertThat(RawHttp.get(port, "/api/v1/logs/system", Map.of("Host", "127.0.0.1:" + port,
                "Authorization", "Bearer s3cret-token")).status()).isEqualTo(200);
    }

    @Test
    void anotherAddressWithoutATokenStopsTheStartupNamingTheProperty(CapturedOutput output) {
        assertThatThrownBy(() -> start("stratal.logs.server.bind=0.0.0.0")).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START").contains("stratal.logs.server.token")
                .contains("refusing to serve 0.0.0.0 without a token");
    }
}
