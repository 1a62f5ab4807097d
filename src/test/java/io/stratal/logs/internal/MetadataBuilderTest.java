package io.stratal.logs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MetadataBuilderTest {

    private MetadataBuilder builder() {
        return new MetadataBuilder(Redaction.of(Redaction.DEFAULT_WORDS), 20);
    }

    @Test
    void nothingToSayIsNull() {
        assertThat(builder().build()).isNull();
    }

    @Test
    void valuesAreSnapshottedSoLaterChangesDoNotLeakIn() {
        List<String> list = new ArrayList<>(List.of("a"));
        Map<String, Object> map = new HashMap<>(Map.of("k", 1));
        AtomicLong counter = new AtomicLong(5);
        Map<String, Object> built = builder().put("list", list).put("map", map).put("counter", counter).build();
        list.add("b");
        map.put("k2", 2);
        counter.set(99);

        assertThat(built).containsEntry("list", List.of("a")).containsEntry("map", Map.of("k", 1)).containsEntry("counter", 5L);
        assertThatThrownBy(() -> built.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void numbersKeepTheirTypeAndNonFiniteOnesBecomeText() {
        Map<String, Object> built = builder().put("i", 1).put("d", 1.5).put("big", new BigDecimal("1.10"))
                .put("nan", Double.NaN).put("inf", Float.POSITIVE_INFINITY).build();
        assertThat(built).containsEntry("i", 1).containsEntry("d", 1.5).containsEntry("big", new BigDecimal("1.10"))
                .containsEntry("nan", "NaN").containsEntry("inf", "Infinity");
    }

    @Test
    void arraysBecomeListsAndOtherObjectsTheirText() {
        Map<String, Object> built = builder().put("ints", new int[] {1, 2}).put("obj", new Object() {
            @Override
            public String toString() {
                return "custom";
            }
        }).build();
        assertThat(built).containsEntry("ints", List.of(1, 2)).containsEntry("obj", "custom");
    }

    @Test
    void aToStringThatThrowsDoesNotEscape() {
        Object hostile = new Object() {
            @Override
            public String toString() {
                throw new IllegalStateException("no");
            }
        };
        Map<String, Object> built = new MetadataBuilder(Redaction.of(List.of()), 1000).put("x", hostile).build();
        assertThat((String) built.get("x")).contains("toString()").contains("failed");
    }

    @Test
    void longStringsAreCutAndNoted() {
        Map<String, Object> built = builder().put("s", "x".repeat(50)).build();
        assertThat((String) built.get("s")).hasSize(20);
        assertThat(built.get("log")).isEqualTo(Map.of("truncated", Map.of("s", 50)));
    }

    @Test
    void hugeCollectionsAreCutAndNoted() {
        List<Integer> many = new ArrayList<>();
        for (int i = 0; i < MetadataBuilder.MAX_ELEMENTS + 10; i++) {
            many.add(i);
        }
        Map<String, Object> built = new MetadataBuilder(Redaction.of(List.of()), 100).put("many", many).build();
        assertThat((List<?>) built.get("many")).hasSize(MetadataBuilder.MAX_ELEMENTS);
        assertThat(built.get("log")).isEqualTo(Map.of("truncated", Map.of("many", MetadataBuilder.MAX_ELEMENTS + 10)));
    }

    @Test
    void selfReferenceStopsAtTheDepthLimit() {
        List<Object> loop = new ArrayList<>();
        loop.add(loop);
        Map<String, Object> built = new MetadataBuilder(Redaction.of(List.of()), 100_000).put("loop", loop).build();
        Object node = built.get("loop");
        int depth = 0;
        while (node instanceof List) {
            node = ((List<?>) node).get(0);
            depth++;
        }
        assertThat(depth).isEqualTo(MetadataBuilder.MAX_DEPTH);
        assertThat(node).isInstanceOf(String.class);
    }
}
