package io.multiscope.core.attestation;

import io.multiscope.core.RegistrationIds;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** Combinations of {@link Attestation}s. */
public final class Attestations {

    private Attestations() {
    }

    /**
     * Accepts any of several kinds of credential, choosing by what the request carries: the first attestation, in the
     * order given, that {@linkplain Attestation#handles handles} the request decides, and its refusal is final (a
     * forged token is not tried against the others, and the error names the real problem). List
     * {@link X509Attestation} first to prefer a client certificate when a device sends both. A request carrying
     * nothing any of them handles is refused as {@code authentication-required}, listing what is accepted.
     */
    public static Attestation anyOf(Attestation... attestations) {
        return anyOf(List.of(attestations));
    }

    /** See {@link #anyOf(Attestation...)}. */
    public static Attestation anyOf(List<? extends Attestation> attestations) {
        List<Attestation> all = List.copyOf(attestations);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("anyOf needs at least one attestation");
        }
        return new AnyOf(all);
    }

    private record AnyOf(List<Attestation> attestations) implements Attestation {

        @Override
        public AttestedIdentity verify(AttestationRequest request) {
            Objects.requireNonNull(request, "request");
            RegistrationIds.normalise(request.registrationId());
            for (Attestation attestation : attestations) {
                if (attestation.handles(request)) {
                    return attestation.verify(request);
                }
            }
            throw new AttestationException(AttestationException.AUTHENTICATION_REQUIRED, "device '"
                    + request.registrationId() + "' presented no credential this service accepts; expected "
                    + expectedCredential(), request.registrationId());
        }

        @Override
        public boolean handles(AttestationRequest request) {
            return attestations.stream().anyMatch(a -> a.handles(request));
        }

        @Override
        public String expectedCredential() {
            return attestations.stream().map(Attestation::expectedCredential).distinct()
                    .collect(Collectors.joining(" or "));
        }
    }
}
