package io.stratal.logs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeTextTest {

    @Test
    void cleanTextIsReturnedAsTheSameInstance() {
        String clean = "plain ascii, é, 日本, and a pair \uD83D\uDE00";
        assertThat(SafeText.isSafe(clean)).isTrue();
        assertThat(SafeText.repair(clean)).isSameAs(clean);
    }

    @Test
    void nulBecomesTheReplacementCharacter() {
        assertThat(SafeText.repair("a\u0000b\u0000")).isEqualTo("a\uFFFDb\uFFFD");
    }

    @Test
    void loneSurrogatesAreReplacedButPairsKept() {
        assertThat(SafeText.repair("\uD800x")).isEqualTo("\uFFFDx");
        assertThat(SafeText.repair("x\uDC00")).isEqualTo("x\uFFFD");
        assertThat(SafeText.repair("\uDC00\uD800")).isEqualTo("\uFFFD\uFFFD");
        assertThat(SafeText.repair("end\uD83D")).isEqualTo("end\uFFFD");
        assertThat(SafeText.repair("\u0000\uD83D\uDE00")).isEqualTo("\uFFFD\uD83D\uDE00");
    }

    @Test
    void cuttingNeverSplitsASurrogatePair() {
        String s = "ab\uD83D\uDE00cd";
        assertThat(SafeText.cut(s, 3)).isEqualTo("ab");
        assertThat(SafeText.cut(s, 4)).isEqualTo("ab\uD83D\uDE00");
        assertThat(SafeText.cut(s, 100)).isSameAs(s);
        assertThat(SafeText.isSafe(SafeText.cut(s, 3))).isTrue();
    }
}
