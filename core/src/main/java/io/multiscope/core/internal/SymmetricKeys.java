package io.multiscope.core.internal;

import java.util.Base64;
import java.util.Objects;

/** The rule every configured symmetric key (group, device, tenant) follows, so each builder refuses bad ones alike. */
public final class SymmetricKeys {

    /** Shorter keys are refused; DPS itself generates 64-byte keys. */
    public static final int MIN_BYTES = 16;

    private SymmetricKeys() {
    }

    /**
     * Checks a configured key without ever putting it in a message.
     *
     * @param what names the key in the error, e.g. {@code the group key}
     * @throws IllegalArgumentException if it is not base64 or shorter than {@value #MIN_BYTES} bytes
     */
    public static void check(String keyBase64, String what) {
        Objects.requireNonNull(keyBase64, what);
        byte[] key;
        try {
            key = Base64.getDecoder().decode(keyBase64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64");
        }
        if (key.length < MIN_BYTES) {
            throw new IllegalArgumentException(what + " is " + key.length + " bytes long; symmetric keys must be at "
                    + "least " + MIN_BYTES + " bytes (DPS uses 64)");
        }
    }
}
