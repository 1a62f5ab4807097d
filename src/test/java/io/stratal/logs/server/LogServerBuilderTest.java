package io.stratal.logs.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class LogServerBuilderTest {

    @Test
    void aPollIntervalThatWouldOutlastTheWaitForAGapIsRefusedBeforeAnythingStarts() {
        LogServer.Builder builder = LogServer.builder(new PGSimpleDataSource()).port(0).pollInterval(Duration.ofSeconds(11));
        assertThatThrownBy(builder::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pollInterval PT11S is more than a third of holeHold PT30S");
    }
}
