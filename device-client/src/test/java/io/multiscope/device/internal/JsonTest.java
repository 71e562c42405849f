package io.multiscope.device.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsWhatTheProvisioningApiAndDpsSend() {
        Map<String, Object> m = Json.parseObject("{\"registrationId\":\"dev-1\",\"newlyAssigned\":true,"
                + "\"count\":-12.5e1,\"tags\":[\"a\",null],\"nested\":{\"x\":\"\\u00e9\\n\\\"\"}}");
        assertThat(m).containsEntry("registrationId", "dev-1").containsEntry("newlyAssigned", true)
                .containsEntry("count", new BigDecimal("-12.5e1"));
        assertThat(m.get("tags")).isEqualTo(java.util.Arrays.asList("a", null));
        assertThat(Json.object(m, "nested")).containsEntry("x", "é\n\"");
    }

    @Test
    void writesCompactJsonThatReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "tab\there \"quoted\" \u0001");
        m.put("n", 3);
        m.put("list", List.of(true, "x"));
        m.put("none", null);
        String text = Json.write(m);
        assertThat(text).isEqualTo("{\"s\":\"tab\\there \\\"quoted\\\" \\u0001\",\"n\":3,\"list\":[true,\"x\"],"
                + "\"none\":null}");
        assertThat(Json.parseObject(text).get("s")).isEqualTo(m.get("s"));
    }

    @Test
    void refusesWhatIsNotStrictlyJson() {
        for (String bad : new String[] {"", "{", "{\"a\":1,}", "{\"a\":1} x", "{'a':1}", "{\"a\":01x}",
                "{\"a\":1,\"a\":2}", "[1,2", "{\"a\":\"\n\"}", "nul", "\"\\x\""}) {
            assertThatIllegalArgumentException().as(bad).isThrownBy(() -> Json.parse(bad));
        }
        assertThatIllegalArgumentException().isThrownBy(() -> Json.parseObject("[1]"))
                .withMessageContaining("object");
    }

    @Test
    void refusesHostileNesting() {
        String deep = "[".repeat(Json.MAX_DEPTH + 2) + "]".repeat(Json.MAX_DEPTH + 2);
        assertThatIllegalArgumentException().isThrownBy(() -> Json.parse(deep)).withMessageContaining("deeper");
    }

    @Test
    void typedGettersSayWhichFieldIsWrong() {
        Map<String, Object> m = Json.parseObject("{\"a\":1,\"b\":\"x\",\"c\":1.5}");
        assertThatIllegalArgumentException().isThrownBy(() -> Json.string(m, "a")).withMessageContaining("'a'");
        assertThatIllegalArgumentException().isThrownBy(() -> Json.object(m, "b")).withMessageContaining("'b'");
        assertThatIllegalArgumentException().isThrownBy(() -> Json.number(m, "c", 0)).withMessageContaining("'c'");
        assertThat(Json.number(m, "a", 0)).isEqualTo(1);
        assertThat(Json.number(m, "missing", 7)).isEqualTo(7);
    }
}
