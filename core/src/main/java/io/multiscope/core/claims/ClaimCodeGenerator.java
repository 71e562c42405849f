package io.multiscope.core.claims;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * Makes new random claim codes in {@link ClaimCodes}' alphabet, formatted for printing.
 *
 * <p>The default code has 16 symbols in groups of 4, {@code 7KQ4-M2XD-9HTB-R0CE}: 80 bits from a
 * {@link SecureRandom}. Guessing is no option against the claim service: every attempt needs an authenticated
 * installer of the device's own tenant, each installer gets 10 attempts a minute by default, and one code must be hit
 * among 2<sup>80</sup>. Even with the database leaked the codes stay safe, as the stored hashes are keyed with a
 * secret kept apart ({@link ClaimCodeHasher}). Shorter codes (down to 12 symbols, 60 bits) are allowed for labels
 * with little room.
 *
 * <p>Thread-safe.
 */
public final class ClaimCodeGenerator {

    /** The fewest symbols a generated code may have: 60 bits. */
    public static final int MIN_GENERATED_SYMBOLS = 12;

    private final int symbols;
    private final int groupSize;
    private final SecureRandom random;

    private ClaimCodeGenerator(Builder b) {
        this.symbols = b.symbols;
        this.groupSize = b.groupSize;
        this.random = b.random;
    }

    /** 16 symbols (80 bits) in groups of 4. */
    public static ClaimCodeGenerator standard() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A new code, formatted in groups. */
    public String next() {
        char[] code = new char[symbols];
        for (int i = 0; i < symbols; i++) {
            code[i] = ClaimCodes.ALPHABET.charAt(random.nextInt(32));
        }
        return ClaimCodes.format(new String(code), groupSize);
    }

    /** The entropy of each code, in bits. */
    public int bits() {
        return symbols * 5;
    }

    @Override
    public String toString() {
        return "ClaimCodeGenerator[symbols=" + symbols + ", groupSize=" + groupSize + ", bits=" + bits() + "]";
    }

    /** Configures a {@link ClaimCodeGenerator}; defaults: 16 symbols, groups of 4, a new {@link SecureRandom}. */
    public static final class Builder {
        private int symbols = 16;
        private int groupSize = 4;
        private SecureRandom random = new SecureRandom();

        private Builder() {
        }

        /** Symbols per code, {@value #MIN_GENERATED_SYMBOLS} to {@value ClaimCodes#MAX_SYMBOLS}; 5 bits each. */
        public Builder symbols(int symbols) {
            if (symbols < MIN_GENERATED_SYMBOLS || symbols > ClaimCodes.MAX_SYMBOLS) {
                throw new IllegalArgumentException("a generated code has " + MIN_GENERATED_SYMBOLS + " to "
                        + ClaimCodes.MAX_SYMBOLS + " symbols, not " + symbols);
            }
            this.symbols = symbols;
            return this;
        }

        /** Symbols per printed group, 2 to 8. */
        public Builder groupSize(int groupSize) {
            if (groupSize < 2 || groupSize > 8) {
                throw new IllegalArgumentException("groupSize must be 2 to 8, was " + groupSize);
            }
            this.groupSize = groupSize;
            return this;
        }

        /** The source of randomness; a {@link SecureRandom} so that codes cannot be predicted. */
        public Builder random(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        public ClaimCodeGenerator build() {
            int printed = symbols + (symbols - 1) / groupSize;
            if (printed > ClaimCodes.MAX_INPUT_LENGTH) {
                throw new IllegalArgumentException("a code of " + symbols + " symbols in groups of " + groupSize
                        + " prints as " + printed + " characters; at most " + ClaimCodes.MAX_INPUT_LENGTH
                        + " are accepted as input");
            }
            return new ClaimCodeGenerator(this);
        }
    }
}
