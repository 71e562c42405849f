package io.multiscope.testkit.internal.dps;

/**
 * A device whose credentials checked out against an enrollment.
 *
 * @param registrationId as the device sent it
 * @param attestationType {@code symmetricKey} or {@code x509}
 */
public record AttestedDevice(String registrationId, EnrollmentRecord enrollment, String attestationType) {
}
