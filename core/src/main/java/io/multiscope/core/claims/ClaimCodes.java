package io.multiscope.core.claims;

import io.multiscope.core.InvalidRequestException;
import java.util.Objects;

/**
 * The text form of claim codes: Crockford's base32, made for codes that people read and type.
 *
 * <p>The alphabet is {@value #ALPHABET}: digits and upper-case letters without {@code I}, {@code L}, {@code O} and
 * {@code U}, so no two symbols look alike and no accidental words appear. Each symbol carries 5 bits. Codes are
 * printed in groups ({@code 7KQ4-M2XD-9HTB-R0CE}) and read forgivingly: case, hyphens and spaces do not matter, and
 * {@code O} is read as {@code 0}, {@code I} and {@code L} as {@code 1}, as Crockford specifies.
 *
 * <p>A code is compared and hashed in its canonical form: upper case, symbols only.
 */
public final class ClaimCodes {

    /** The 32 symbols, in value order. */
    public static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    /** The fewest symbols a code may have (40 bits); generated codes have more. */
    public static final int MIN_SYMBOLS = 8;
    /** The most symbols a code may have (240 bits). */
    public static final int MAX_SYMBOLS = 48;
    /** The longest text accepted as a typed code, separators included. */
    public static final int MAX_INPUT_LENGTH = 64;

    private ClaimCodes() {
    }

    /**
     * The canonical form of a code as a person typed it.
     *
     * @throws InvalidRequestException of type {@code invalid-claim-code} if it is empty, longer than
     *     {@value #MAX_INPUT_LENGTH} characters, holds a character that is not a symbol, a hyphen or a space, or has
     *     fewer than {@value #MIN_SYMBOLS} or more than {@value #MAX_SYMBOLS} symbols. The message never repeats the
     *     code.
     */
    public static String normalise(String typed) {
        if (typed == null || typed.isBlank()) {
            throw invalid("the claim code is empty");
        }
        if (typed.length() > MAX_INPUT_LENGTH) {
            throw invalid("the claim code has " + typed.length() + " characters; at most " + MAX_INPUT_LENGTH
                    + " are accepted");
        }
        StringBuilder canonical = new StringBuilder(typed.length());
        for (int i = 0; i < typed.length(); i++) {
            char c = typed.charAt(i);
            if (c == '-' || c == ' ') {
                continue;
            }
            char symbol = symbol(c);
            if (symbol == 0) {
                throw invalid("the claim code holds a character that is not part of a code at position " + i
                        + "; codes use 0-9 and A-Z without I, L, O and U");
            }
            canonical.append(symbol);
        }
        if (canonical.length() < MIN_SYMBOLS || canonical.length() > MAX_SYMBOLS) {
            throw invalid("the claim code has " + canonical.length() + " symbols; codes have " + MIN_SYMBOLS + " to "
                    + MAX_SYMBOLS);
        }
        return canonical.toString();
    }

    /** Whether {@code typed} is a well-formed code (see {@link #normalise}). */
    public static boolean isWellFormed(String typed) {
        try {
            normalise(typed);
            return true;
        } catch (InvalidRequestException e) {
            return false;
        }
    }

    /**
     * A canonical code in groups of {@code groupSize} symbols joined by hyphens, for printing.
     *
     * @throws InvalidRequestException if {@code code} is not well-formed
     */
    public static String format(String code, int groupSize) {
        Objects.requireNonNull(code, "code");
        if (groupSize < 1) {
            throw new IllegalArgumentException("groupSize must be at least 1, was " + groupSize);
        }
        String canonical = normalise(code);
        StringBuilder out = new StringBuilder(canonical.length() + canonical.length() / groupSize);
        for (int i = 0; i < canonical.length(); i++) {
            if (i > 0 && i % groupSize == 0) {
                out.append('-');
            }
            out.append(canonical.charAt(i));
        }
        return out.toString();
    }

    /** The canonical symbol for a typed character, or 0 if it is none. */
    private static char symbol(char c) {
        if (c >= 128) {
            return 0; // ASCII only: some other scripts' letters upper-case to ASCII ones
        }
        char upper = Character.toUpperCase(c);
        if (upper == 'O') {
            return '0';
        }
        if (upper == 'I' || upper == 'L') {
            return '1';
        }
        return ALPHABET.indexOf(upper) >= 0 ? upper : 0;
    }

    private static InvalidRequestException invalid(String message) {
        return new InvalidRequestException("invalid-claim-code", message);
    }
}
