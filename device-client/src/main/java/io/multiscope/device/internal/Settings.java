package io.multiscope.device.internal;

import io.multiscope.device.CircuitBreakerPolicy;
import io.multiscope.device.ConnectivityProbe;
import io.multiscope.device.ProvisioningListener;
import io.multiscope.device.ProvisioningStateStore;
import io.multiscope.device.RetryBudget;
import io.multiscope.device.Sleeper;
import io.multiscope.device.Transport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A validated configuration, filled once by {@code DeviceProvisioner.Builder.build()} and never changed afterwards.
 * Exactly one of {@link #apiBase} and {@link #dpsEndpoint} is set.
 */
public final class Settings {
    public URI apiBase;
    public String apiScope;
    public String dpsEndpoint;
    public String dpsIdScope;
    public DeviceCredentials credentials;
    public Transport transport;
    public List<X509Certificate> trustedCas;
    public boolean includeSystemCas;
    public InetSocketAddress proxy;
    /** {@code region}, {@code tenant}, {@code attributes} for the provisioning API. */
    public Map<String, Object> placementHints;
    public String payload;
    public boolean dpsStatusLookup;
    /** How many pattern-3 redirects one registration may follow. */
    public int maxRedirects;
    /** The service's key for bundles signed with a public-key algorithm, or null. */
    public PublicKey bundleVerificationKey;
    /** How far past a bundle's {@code expiresAt} the clock may be. */
    public Duration bundleExpiryTolerance;
    public ProvisioningStateStore store;
    public Duration staggerWindow;
    public RetryBudget firstProvisioning;
    public RetryBudget reprovisioning;
    public CircuitBreakerPolicy circuitBreaker;
    public ConnectivityProbe probe;
    public Duration offlineRecheck;
    public Duration registrationTimeout;
    public Duration requestTimeout;
    public Clock clock;
    public Sleeper sleeper;
    public Random random;
    public ProvisioningListener listener;

    /**
     * Names the endpoint and device the persisted state belongs to: if an update changes the provisioning API, the
     * DPS endpoint or scope, or the registration id, a stored result no longer counts.
     */
    public String configuration() {
        String id = credentials.registrationId();
        return apiBase != null ? "api " + apiBase + " " + apiScope + " " + id
                : "dps " + dpsEndpoint + " " + dpsIdScope + " " + id;
    }
}
