package io.multiscope.testkit;

/** Fixed keys, so failures are reproducible. */
final class TestKeys {

    /** A 32-byte group key, base64. */
    static final String GROUP_KEY = "ZmFjdG9yeS1ncm91cC1rZXktZm9yLXRlc3RzLTAwMDE=";

    private TestKeys() {
    }
}
