package io.multiscope.core.allocation;

import io.multiscope.spi.AllocationRequest;
import io.multiscope.spi.Candidate;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Rendezvous (highest-random-weight) hashing: each device goes to the candidate with the highest score for the pair
 * (device, candidate). Stable without state: adding or removing an instance moves only the devices that score
 * highest on it. With {@code weighted}, scores follow {@code -weight / ln(u)}, so a candidate's share of devices is
 * proportional to its weight.
 */
final class RendezvousChooser extends Chooser {

    private final boolean weighted;

    RendezvousChooser(boolean weighted) {
        this.weighted = weighted;
    }

    @Override
    Candidate pick(AllocationRequest request, List<Candidate> available) {
        Candidate best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Candidate c : available) {
            double u = unitInterval(hash(request.registrationId(), c.id()));
            double score = weighted ? -c.weight() / Math.log(u) : u;
            if (score > bestScore) {
                best = c;
                bestScore = score;
            }
        }
        return best;
    }

    /** 64-bit FNV-1a over "device\0candidate", finished with a murmur-style mix for a good spread. */
    static long hash(String registrationId, String candidateId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (registrationId + '\0' + candidateId).getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Maps a hash to (0, 1), never 0 or 1, so that ln(u) is finite and negative. */
    private static double unitInterval(long hash) {
        return ((hash >>> 11) + 0.5) / (double) (1L << 53);
    }

    @Override
    public String toString() {
        return weighted ? "weighted" : "rendezvous";
    }
}
