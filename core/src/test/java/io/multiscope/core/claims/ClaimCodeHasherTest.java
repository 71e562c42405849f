package io.multiscope.core.claims;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class ClaimCodeHasherTest {

    static final byte[] PEPPER = "pepper-for-claim-code-tests-32b!".getBytes(StandardCharsets.US_ASCII);
    static final byte[] NEW_PEPPER = "the-next-pepper-32-bytes-or-more".getBytes(StandardCharsets.US_ASCII);
    static final String CODE = "7KQ4-M2XD-9HTB-R0CE";

    final ClaimCodeHasher hasher = ClaimCodeHasher.withPepper("p1", PEPPER);

    @Test
    void theStoredFormIsAVersionedSaltedKeyedMacOfIdAndCanonicalCode() throws Exception {
        String hash = hasher.hash("dev-1", CODE);

        assertThat(hash).matches("v1\\$p1\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}").doesNotContain("7KQ4");
        // Recomputed here from the documented format: HMAC-SHA256(pepper, salt || id || '\n' || canonical code).
        String[] parts = hash.split("\\$");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(PEPPER, "HmacSHA256"));
        mac.update(Base64.getUrlDecoder().decode(parts[2]));
        mac.update("dev-1\n7KQ4M2XD9HTBR0CE".getBytes(StandardCharsets.US_ASCII));
        assertThat(Base64.getUrlDecoder().decode(parts[3])).isEqualTo(mac.doFinal());
    }

    @Test
    void matchesTheCodeAsTypedAndNothingElse() {
        String hash = hasher.hash("dev-1", CODE);

        assertThat(hasher.matches("dev-1", CODE, hash)).isTrue();
        assertThat(hasher.matches("dev-1", "7kq4 m2xd 9htb roce", hash)).isTrue();
        assertThat(hasher.matches("dev-1", "7KQ4-M2XD-9HTB-R0CF", hash)).isFalse();
        assertThat(hasher.matches("dev-2", CODE, hash)).as("a hash moved to another device").isFalse();
        assertThat(hasher.matches("dev-1", "not a code!", hash)).isFalse();
    }

    @Test
    void equalCodesGetDifferentHashes() {
        assertThat(hasher.hash("dev-1", CODE)).isNotEqualTo(hasher.hash("dev-1", CODE));
    }

    @Test
    void withoutThePepperNoCodeMatches() {
        String hash = hasher.hash("dev-1", CODE);
        ClaimCodeHasher otherPepperSameId = ClaimCodeHasher.withPepper("p1", NEW_PEPPER);
        assertThat(otherPepperSameId.matches("dev-1", CODE, hash)).isFalse();
    }

    @Test
    void peppersRotate() {
        String old = hasher.hash("dev-1", CODE);
        ClaimCodeHasher rotated = ClaimCodeHasher.builder("p2", NEW_PEPPER).retiredPepper("p1", PEPPER).build();

        assertThat(rotated.matches("dev-1", CODE, old)).isTrue();
        String fresh = rotated.hash("dev-1", CODE);
        assertThat(fresh).startsWith("v1$p2$");
        assertThat(hasher.matches("dev-1", CODE, fresh)).as("p2 unknown to the old hasher").isFalse();
        assertThat(rotated.currentPepperId()).isEqualTo("p2");
    }

    @Test
    void malformedOrForeignStoredValuesMatchNothing() {
        String hash = hasher.hash("dev-1", CODE);
        for (String stored : new String[] {"", "plain", hash.replace("v1$", "v2$"), hash + "$x",
                hash.substring(0, hash.length() - 2), hash.replace("$p1$", "$p9$"), "v1$p1$***$***"}) {
            assertThat(hasher.matches("dev-1", CODE, stored)).as(stored).isFalse();
        }
    }

    @Test
    void weakPeppersAndBadIdsAreRefused() {
        assertThatThrownBy(() -> ClaimCodeHasher.withPepper("p1", new byte[31]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32");
        assertThatThrownBy(() -> ClaimCodeHasher.withPepper("p$1", PEPPER)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClaimCodeHasher.builder("p1", PEPPER).retiredPepper("p1", NEW_PEPPER))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(hasher.toString()).doesNotContain(new String(PEPPER, StandardCharsets.US_ASCII));
    }
}
