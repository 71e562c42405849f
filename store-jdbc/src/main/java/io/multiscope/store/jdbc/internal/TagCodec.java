package io.multiscope.store.jdbc.internal;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * An instance's tags in one column: sorted, each percent-encoded, joined by commas. Any tag text survives the round
 * trip, and equal sets give equal column values.
 */
final class TagCodec {

    private TagCodec() {
    }

    static String encode(Set<String> tags) {
        return new TreeSet<>(tags).stream().map(t -> URLEncoder.encode(t, StandardCharsets.UTF_8))
                .collect(Collectors.joining(","));
    }

    static Set<String> decode(String column) {
        if (column == null || column.isEmpty()) {
            return Set.of();
        }
        return Arrays.stream(column.split(",", -1)).map(t -> URLDecoder.decode(t, StandardCharsets.UTF_8))
                .collect(Collectors.toUnmodifiableSet());
    }
}
