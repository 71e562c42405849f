package io.multiscope.core.internal;

import io.multiscope.core.AssignmentRequest;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.RegistrationIds;
import io.multiscope.core.attestation.Attestation;
import io.multiscope.core.attestation.AttestedIdentity;
import io.multiscope.spi.AllocationRequest;
import io.multiscope.spi.Candidate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/**
 * The steps every provisioning service applies to a device's request before placing it, shared by the zero-touch
 * service (pattern 1) and the proxy (pattern 2) so both accept and refuse exactly the same requests: validate the
 * registration id and attributes, authenticate, check the tenant and region against the fleet, and build the
 * strategy's request and candidates.
 */
public final class RequestRules {

    private final FleetSnapshot fleet;
    private final Set<String> tenants;

    /** @param tenants tenants allowed besides those that own a tenant pool */
    public RequestRules(FleetSnapshot fleet, Set<String> tenants) {
        this.fleet = fleet;
        this.tenants = Set.copyOf(tenants);
    }

    /** A request that passed every check: who the device is and what to ask the strategy. */
    public record Admitted(String registrationId, AttestedIdentity identity, AllocationRequest.Builder allocation) {
    }

    /**
     * Validates, authenticates and resolves tenant and region, in that order (a malformed id is refused before any
     * cryptography, an unauthenticated device learns nothing about tenants or regions).
     *
     * @throws InvalidRequestException if the id, attributes, tenant or region break a rule
     * @throws io.multiscope.core.attestation.AttestationException if the credential is not good enough
     */
    public Admitted admit(AssignmentRequest request, Attestation attestation) {
        String registrationId = RegistrationIds.normalise(request.registrationId());
        validateAttributes(request, registrationId);
        AttestedIdentity identity = attestation.verify(request.credentials());
        Optional<String> tenant = tenantOf(identity, request, registrationId);
        Optional<String> region = request.region().map(r -> knownRegion(r, registrationId));
        AllocationRequest.Builder allocation = AllocationRequest.builder(registrationId).tenant(tenant.orElse(null))
                .region(region.orElse(null)).attributes(request.attributes());
        return new Admitted(registrationId, identity, allocation);
    }

    /** The strategy's view of every instance, with the rate headroom {@code headroom} gives each. */
    public static List<Candidate> candidates(FleetSnapshot.View view, ToLongFunction<String> headroom) {
        List<Candidate> candidates = new ArrayList<>(view.instances().size());
        for (DpsInstance i : view.instances()) {
            long count = view.counts().getOrDefault(i.id(), 0L);
            candidates.add(new Candidate(i.id(), i.region(), i.tenantPool(), i.tags(), i.weight(), i.state(),
                    i.capacity(), count, Math.max(0, headroom.applyAsLong(i.id()))));
        }
        return candidates;
    }

    /** The ids of the candidates that could take a device if they had headroom. */
    public static List<String> eligible(List<Candidate> candidates) {
        List<String> eligible = new ArrayList<>();
        for (Candidate c : candidates) {
            if (c.ineligibility().isEmpty()) {
                eligible.add(c.id());
            }
        }
        return eligible;
    }

    private Optional<String> tenantOf(AttestedIdentity identity, AssignmentRequest request, String registrationId) {
        if (identity.tenant().isPresent() && request.tenant().isPresent()
                && !identity.tenant().get().equals(request.tenant().get())) {
            throw new InvalidRequestException("tenant-mismatch", "Device '" + registrationId + "' asked for tenant '"
                    + request.tenant().get() + "' but its credentials belong to another tenant", registrationId);
        }
        Optional<String> tenant = identity.tenant().or(request::tenant);
        if (tenant.isPresent() && !knownTenants().contains(tenant.get())) {
            throw new InvalidRequestException("unknown-tenant", "Tenant '" + tenant.get() + "' of device '"
                    + registrationId + "' is not known to this provisioning service", registrationId);
        }
        return tenant;
    }

    private Set<String> knownTenants() {
        Set<String> known = new TreeSet<>(tenants);
        for (DpsInstance i : fleet.current().instances()) {
            i.tenantPool().ifPresent(known::add);
        }
        return known;
    }

    private String knownRegion(String region, String registrationId) {
        String wanted = region.toLowerCase(Locale.ROOT);
        for (DpsInstance i : fleet.current().instances()) {
            if (i.region().equalsIgnoreCase(wanted)) {
                return i.region();
            }
        }
        Set<String> regions = new TreeSet<>();
        fleet.current().instances().forEach(i -> regions.add(i.region()));
        throw new InvalidRequestException("unknown-region", "Region '" + region + "' requested by device '"
                + registrationId + "' has no DPS instance; known regions: " + regions, registrationId);
    }

    private static void validateAttributes(AssignmentRequest request, String registrationId) {
        if (request.attributes().size() > AssignmentRequest.MAX_ATTRIBUTES) {
            throw new InvalidRequestException("too-many-attributes", "Device '" + registrationId + "' sent "
                    + request.attributes().size() + " attributes; at most " + AssignmentRequest.MAX_ATTRIBUTES
                    + " are allowed", registrationId);
        }
        for (Map.Entry<String, String> e : request.attributes().entrySet()) {
            if (e.getKey().length() > AssignmentRequest.MAX_ATTRIBUTE_LENGTH
                    || e.getValue().length() > AssignmentRequest.MAX_ATTRIBUTE_LENGTH) {
                throw new InvalidRequestException("attribute-too-long", "Device '" + registrationId
                        + "' sent an attribute longer than " + AssignmentRequest.MAX_ATTRIBUTE_LENGTH
                        + " characters", registrationId);
            }
        }
    }
}
