package io.multiscope.core.claims;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClaimCodesTest {

    @Test
    void generatedCodesHave80BitsInGroupsOfFourFromTheCrockfordAlphabet() {
        ClaimCodeGenerator generator = ClaimCodeGenerator.standard();
        Set<String> seen = new HashSet<>();
        int[] symbolCounts = new int[32];
        for (int i = 0; i < 2000; i++) {
            String code = generator.next();
            assertThat(code).matches("[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}");
            assertThat(ClaimCodes.normalise(code)).isEqualTo(code.replace("-", ""));
            assertThat(seen.add(code)).isTrue();
            for (char c : code.replace("-", "").toCharArray()) {
                symbolCounts[ClaimCodes.ALPHABET.indexOf(c)]++;
            }
        }
        assertThat(generator.bits()).isEqualTo(80);
        // 32,000 symbols: every one of the 32 is used, none wildly more than its 1,000 share.
        assertThat(java.util.Arrays.stream(symbolCounts).boxed()).allSatisfy(n -> assertThat(n).isBetween(800, 1200));
    }

    @Test
    void codesAreReadForgivinglyAsCrockfordSpecifies() {
        assertThat(ClaimCodes.normalise("7kq4-m2xd-9htb-r0ce")).isEqualTo("7KQ4M2XD9HTBR0CE");
        assertThat(ClaimCodes.normalise(" 7KQ4 M2XD 9HTB RoCE ")).isEqualTo("7KQ4M2XD9HTBR0CE");
        assertThat(ClaimCodes.normalise("IL1i-0Oo0")).isEqualTo("11110000");
        assertThat(ClaimCodes.format("7kq4m2xd9htbr0ce", 4)).isEqualTo("7KQ4-M2XD-9HTB-R0CE");
    }

    @Test
    void malformedCodesAreRefusedWithoutRepeatingThem() {
        for (String bad : new String[] {"", "   ", "ABCD-EFG", "UUUU-UUUU", "7KQ4_M2XD_9HTB", "7KQ4-M2XD-9HTB-R0C\u0131",
                "7KQ4/M2XD", "A".repeat(49), "A-".repeat(33)}) {
            assertThatThrownBy(() -> ClaimCodes.normalise(bad)).as(bad)
                    .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                        assertThat(e.problemType()).isEqualTo("invalid-claim-code");
                        if (bad.strip().length() > 3) {
                            assertThat(e.getMessage()).doesNotContain(bad.strip());
                        }
                    });
        }
        assertThat(ClaimCodes.isWellFormed(null)).isFalse();
        assertThat(ClaimCodes.isWellFormed("7KQ4-M2XD")).isTrue();
    }

    @Test
    void theGeneratorRefusesCodesTooShortOrTooLongToType() {
        assertThatThrownBy(() -> ClaimCodeGenerator.builder().symbols(11)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClaimCodeGenerator.builder().symbols(48).groupSize(2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 64");
        ClaimCodeGenerator twelve = ClaimCodeGenerator.builder().symbols(12).groupSize(3)
                .random(new SecureRandom("seed".getBytes(StandardCharsets.UTF_8))).build();
        assertThat(twelve.next()).matches("\\w{3}-\\w{3}-\\w{3}-\\w{3}");
        assertThat(twelve.bits()).isEqualTo(60);
    }
}
