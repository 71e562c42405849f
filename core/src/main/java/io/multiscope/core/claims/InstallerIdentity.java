package io.multiscope.core.claims;

import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.ownership.OwnerIds;
import java.util.Objects;

/**
 * An installer whose bearer token was verified: who they are and which tenant they act for. An installer may claim
 * only devices whose owner in the ownership registry is exactly {@link #tenant()}.
 *
 * @param installerId the stable id of the installer (a token's {@code sub}); the rate limit counts per id
 * @param tenant the tenant (owner id, {@link OwnerIds} rules) the installer works for
 */
public record InstallerIdentity(String installerId, String tenant) {

    /** The longest installer id accepted. */
    public static final int MAX_INSTALLER_ID_LENGTH = 256;

    /**
     * @throws IllegalArgumentException if the installer id is blank, longer than {@value #MAX_INSTALLER_ID_LENGTH}
     *     characters or holds control characters, or the tenant breaks the {@link OwnerIds} rules
     */
    public InstallerIdentity {
        Objects.requireNonNull(installerId, "installerId");
        Objects.requireNonNull(tenant, "tenant");
        String problem = installerIdProblem(installerId);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (!isValidTenant(tenant)) {
            throw new IllegalArgumentException("an installer's tenant must be 1 to " + OwnerIds.MAX_LENGTH
                    + " characters of A-Z a-z 0-9 . _ : @ -");
        }
    }

    static boolean isValidTenant(String tenant) {
        try {
            OwnerIds.check(tenant);
            return true;
        } catch (InvalidRequestException e) {
            return false;
        }
    }

    /** Why {@code installerId} is not acceptable, or {@code null} if it is. */
    static String installerIdProblem(String installerId) {
        if (installerId.isBlank()) {
            return "an installer id must not be blank";
        }
        if (installerId.length() > MAX_INSTALLER_ID_LENGTH) {
            return "an installer id has at most " + MAX_INSTALLER_ID_LENGTH + " characters, not "
                    + installerId.length();
        }
        for (int i = 0; i < installerId.length(); i++) {
            if (Character.isISOControl(installerId.charAt(i))) {
                return "an installer id must not contain control characters";
            }
        }
        return null;
    }
}
