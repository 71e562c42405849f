package io.multiscope.core.allocation;

import io.multiscope.spi.AllocationRequest;
import io.multiscope.spi.Candidate;
import java.util.Comparator;
import java.util.List;

/** The candidate with the lowest share of its capacity in use; ties go to the fewest devices, then the lowest id. */
final class LeastUtilisedChooser extends Chooser {

    private static final Comparator<Candidate> ORDER = Comparator.comparingDouble(Candidate::utilisation)
            .thenComparingLong(Candidate::assignedCount)
            .thenComparing(Candidate::id);

    @Override
    Candidate pick(AllocationRequest request, List<Candidate> available) {
        return available.stream().min(ORDER).orElseThrow();
    }

    @Override
    public String toString() {
        return "least-utilised";
    }
}
