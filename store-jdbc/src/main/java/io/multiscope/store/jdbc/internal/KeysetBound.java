package io.multiscope.store.jdbc.internal;

import java.util.Optional;

/**
 * Makes a page's {@code after} value safe to compare with a registration-id column on every database, without
 * changing which ids follow it. Callers may pass any text, but the columns hold ASCII only (MariaDB refuses to
 * compare its ASCII columns with other characters, PostgreSQL refuses NUL). Since stored ids use only
 * {@code [a-z0-9-._:]}, every character from the first NUL or non-ASCII one on can be replaced:
 * <ul>
 *   <li>NUL sorts before every id character, so the ids after {@code p + "\0" + rest} are the ids after {@code p};
 *   <li>a non-ASCII character sorts after every id character, so the ids after {@code p + "é" + rest} are the ids
 *       after {@code p + "\u007f"} (DEL, which no id contains).
 * </ul>
 */
final class KeysetBound {

    private KeysetBound() {
    }

    static Optional<String> registrationIdAfter(Optional<String> after) {
        return after.map(KeysetBound::asciiEquivalent);
    }

    static String asciiEquivalent(String after) {
        for (int i = 0; i < after.length(); i++) {
            char c = after.charAt(i);
            if (c == '\u0000') {
                return after.substring(0, i);
            }
            if (c > '\u007f') {
                return after.substring(0, i) + '\u007f';
            }
        }
        return after;
    }
}
