package io.multiscope.core.internal;

/** Makes text a client controls safe to put in an error message or a log line. */
public final class Untrusted {

    private static final int MAX = 160;

    private Untrusted() {
    }

    /** Control characters escaped (no forged log lines) and long values cut short, in quotes. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX) + 8).append('\'');
        for (int i = 0; i < value.length() && i < MAX; i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (value.length() > MAX) {
            out.append("...");
        }
        return out.append('\'').toString();
    }
}
