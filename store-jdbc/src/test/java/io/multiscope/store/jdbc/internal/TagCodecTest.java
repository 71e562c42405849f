package io.multiscope.store.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class TagCodecTest {

    @Test
    void anyTagTextRoundTrips() {
        Set<String> tags = Set.of("a,b", "100%", "x+y z", "", "é中\ud83d\ude00", "'; DROP TABLE t; --");
        assertThat(TagCodec.decode(TagCodec.encode(tags))).isEqualTo(tags);
    }

    @Test
    void equalSetsEncodeEqually() {
        assertThat(TagCodec.encode(Set.of("b", "a"))).isEqualTo(TagCodec.encode(Set.of("a", "b"))).isEqualTo("a,b");
        assertThat(TagCodec.encode(Set.of())).isEmpty();
        assertThat(TagCodec.decode("")).isEmpty();
    }
}
