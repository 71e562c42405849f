package io.multiscope.core.allocation;

import io.multiscope.spi.Candidate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link CandidateFilter} kept, and why it dropped the rest.
 *
 * @param kept the candidates left, in their original order
 * @param excluded per dropped candidate id, the reason
 */
public record Filtered(List<Candidate> kept, Map<String, String> excluded) {

    public Filtered {
        kept = List.copyOf(Objects.requireNonNull(kept, "kept"));
        excluded = Collections.unmodifiableMap(new LinkedHashMap<>(excluded));
    }

    /** The result of applying another filter to {@link #kept()}: its kept list, both exclusion lists. */
    Filtered then(Filtered next) {
        Map<String, String> all = new LinkedHashMap<>(excluded);
        all.putAll(next.excluded);
        return new Filtered(next.kept, all);
    }
}
