package io.stratal.logs.internal.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void agesAreReadInDaysHoursMinutesSecondsOrIso() {
        assertThat(Durations.parseAge("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(Durations.parseAge(" 12h ")).isEqualTo(Duration.ofHours(12));
        assertThat(Durations.parseAge("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parseAge("45s")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Durations.parseAge("P2DT3H")).isEqualTo(Duration.ofHours(51));
        assertThatThrownBy(() -> Durations.parseAge("a month")).hasMessageContaining("write 30d, 12h, 90m, 45s or P30D");
        assertThatThrownBy(() -> Durations.parseAge("0d")).hasMessageContaining("not a positive age");
    }

    @Test
    void anAgePastAThousandYearsIsATypo() {
        assertThatThrownBy(() -> Durations.parseAge("365251d")).hasMessageContaining("1000 years");
        assertThatThrownBy(() -> Durations.parseAge("99999999999999999999d")).hasMessageContaining("1000 years");
    }
}
