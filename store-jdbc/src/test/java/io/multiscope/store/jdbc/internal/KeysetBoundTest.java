package io.multiscope.store.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeysetBoundTest {

    private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-._:";

    @Test
    void asciiTextIsKept() {
        assertThat(KeysetBound.asciiEquivalent("dev-1")).isEqualTo("dev-1");
        assertThat(KeysetBound.asciiEquivalent("'; --\u007f")).isEqualTo("'; --\u007f");
        assertThat(KeysetBound.registrationIdAfter(Optional.empty())).isEmpty();
    }

    @Test
    void theRestIsReplacedFromTheFirstNulOrNonAsciiCharacter() {
        assertThat(KeysetBound.asciiEquivalent("dev\u0000\u00e9")).isEqualTo("dev");
        assertThat(KeysetBound.asciiEquivalent("d\u00e9v\u0000")).isEqualTo("d\u007f");
        assertThat(KeysetBound.asciiEquivalent("\ud83d\ude00")).isEqualTo("\u007f");
    }

    /** The bound selects exactly the ids the original text does, for random ids and random text around them. */
    @Test
    void theBoundSelectsTheSameIdsAsTheText() {
        Random random = new Random(42);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            ids.add(randomText(random, ID_CHARS));
        }
        String anyChars = ID_CHARS + "\u0000\u0001 '~\u007f\u0080\u00e9\u4e2d\ud83d\ude00\uffff";
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            String after = random.nextBoolean() ? randomText(random, anyChars)
                    : ids.get(random.nextInt(ids.size())) + randomText(random, anyChars);
            String bound = KeysetBound.asciiEquivalent(after);
            assertThat(bound.chars()).as("bound of %s", after).allMatch(c -> c > 0 && c < 0x80);
            for (String id : ids) {
                if ((id.compareTo(bound) > 0) != (id.compareTo(after) > 0)) {
                    mismatches.add(id + " vs " + after + " (bound " + bound + ")");
                }
            }
        }
        assertThat(mismatches).isEmpty();
    }

    private static String randomText(Random random, String alphabet) {
        int length = 1 + random.nextInt(6);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
