package io.multiscope.core.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/** Decides whether a request may use the admin operations (instances, drain, deprovision). */
@FunctionalInterface
public interface AdminAuthenticator {

    /** Admin operations are refused to everyone: the default. */
    AdminAuthenticator DISABLED = request -> false;

    boolean isAdmin(ApiRequest request);

    /** Admins send {@code Authorization: Bearer <token>}; compared in constant time. */
    static AdminAuthenticator bearerToken(String token) {
        Objects.requireNonNull(token, "token");
        if (token.length() < 16) {
            throw new IllegalArgumentException("an admin token must have at least 16 characters");
        }
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        return request -> request.header("Authorization")
                .map(h -> MessageDigest.isEqual(expected, h.strip().getBytes(StandardCharsets.UTF_8)))
                .orElse(false);
    }
}
