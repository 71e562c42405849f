package io.multiscope.core.allocation;

import io.multiscope.spi.AllocationRequest;
import io.multiscope.spi.Candidate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Instances reserved for a tenant pool take only that tenant's devices; a tenant with reserved instances uses only
 * those; everyone else shares the unreserved instances.
 */
final class TenantPoolFilter implements CandidateFilter {

    @Override
    public Filtered apply(AllocationRequest request, List<Candidate> candidates) {
        Optional<String> tenant = request.tenant();
        boolean tenantHasPool = tenant.isPresent()
                && candidates.stream().anyMatch(c -> c.tenantPool().equals(tenant));
        List<Candidate> kept = new ArrayList<>();
        Map<String, String> excluded = new LinkedHashMap<>();
        for (Candidate c : candidates) {
            if (tenantHasPool ? c.tenantPool().equals(tenant) : c.tenantPool().isEmpty()) {
                kept.add(c);
            } else if (c.tenantPool().isPresent()) {
                excluded.put(c.id(), "reserved for tenant pool " + c.tenantPool().get());
            } else {
                excluded.put(c.id(), "shared, but tenant " + tenant.orElse("?") + " has reserved instances");
            }
        }
        return new Filtered(kept, excluded);
    }

    @Override
    public String toString() {
        return "tenant-pool";
    }
}
