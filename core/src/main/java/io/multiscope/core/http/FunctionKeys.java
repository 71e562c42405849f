package io.multiscope.core.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The keys a custom allocation webhook accepts, Azure Functions style: DPS calls the webhook URL configured in the
 * enrollment, which carries the key as {@code ?code=<key>}; other callers may send an {@code x-functions-key} header
 * instead (the header wins when both are present). Several keys may be valid at once, so a key can be rotated: add the
 * new one, update the enrollments' webhook URLs, then drop the old one.
 *
 * <p>Keys are compared in constant time (their SHA-256 digests, against every configured key, without stopping at
 * the first match), and never printed.
 */
public final class FunctionKeys {

    /** The shortest key accepted; Azure generates 56 characters. */
    public static final int MIN_LENGTH = 16;
    /** The longest key accepted. */
    public static final int MAX_LENGTH = 512;
    /** The header Azure Functions reads a key from. */
    public static final String HEADER = "x-functions-key";
    /** The query parameter Azure Functions reads a key from. */
    public static final String QUERY_PARAMETER = "code";

    private final List<byte[]> digests;

    private FunctionKeys(List<byte[]> digests) {
        this.digests = digests;
    }

    /**
     * @throws IllegalArgumentException if no key is given, a key is shorter than {@value #MIN_LENGTH} or longer than
     *     {@value #MAX_LENGTH} characters, contains whitespace or control characters, or is given twice
     */
    public static FunctionKeys of(String... keys) {
        Objects.requireNonNull(keys, "keys");
        return of(Arrays.asList(keys));
    }

    /** See {@link #of(String...)}. */
    public static FunctionKeys of(Collection<String> keys) {
        Objects.requireNonNull(keys, "keys");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one function key is required");
        }
        List<byte[]> digests = new ArrayList<>();
        int n = 0;
        for (String key : keys) {
            n++;
            if (key == null || key.length() < MIN_LENGTH || key.length() > MAX_LENGTH) {
                throw new IllegalArgumentException("function key #" + n + " must be " + MIN_LENGTH + " to "
                        + MAX_LENGTH + " characters long");
            }
            if (key.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
                throw new IllegalArgumentException("function key #" + n
                        + " contains whitespace or control characters");
            }
            byte[] digest = digest(key);
            if (digests.stream().anyMatch(d -> MessageDigest.isEqual(d, digest))) {
                throw new IllegalArgumentException("function key #" + n + " is given twice");
            }
            digests.add(digest);
        }
        return new FunctionKeys(List.copyOf(digests));
    }

    /** How many keys are accepted. */
    public int size() {
        return digests.size();
    }

    /** Whether the request presents one of the keys. */
    public boolean accepts(ApiRequest request) {
        return presented(request).map(this::matches).orElse(false);
    }

    /** Whether {@code key} is one of the keys, in constant time. */
    public boolean matches(String key) {
        if (key == null) {
            return false;
        }
        byte[] digest = digest(key);
        boolean match = false;
        for (byte[] d : digests) {
            match |= MessageDigest.isEqual(d, digest);
        }
        return match;
    }

    /** The key a request presents: the header, else the query parameter. */
    static Optional<String> presented(ApiRequest request) {
        Optional<String> header = request.header(HEADER).map(String::strip).filter(h -> !h.isEmpty());
        return header.isPresent() ? header
                : request.queryParameter(QUERY_PARAMETER).filter(c -> !c.isEmpty());
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "FunctionKeys[" + digests.size() + (digests.size() == 1 ? " key" : " keys") + ", hidden]";
    }
}
