package io.multiscope.testkit.internal.dps;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** The X.509 checks DPS makes on a device's TLS client certificate chain. */
final class X509Chains {

    private X509Chains() {
    }

    /** The leaf's subject common name, which DPS takes as the registration id. */
    static Optional<String> commonName(X509Certificate leaf) {
        try {
            LdapName name = new LdapName(leaf.getSubjectX500Principal().getName());
            for (Rdn rdn : name.getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(rdn.getValue().toString());
                }
            }
            return Optional.empty();
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }

    /** Whether two certificates are the same certificate. */
    static boolean same(X509Certificate a, X509Certificate b) {
        try {
            return Arrays.equals(a.getEncoded(), b.getEncoded());
        } catch (CertificateEncodingException e) {
            return false;
        }
    }

    /** Whether {@code cert} is valid at {@code now}. */
    static boolean isCurrent(X509Certificate cert, Instant now) {
        try {
            cert.checkValidity(Date.from(now));
            return true;
        } catch (CertificateException e) {
            return false;
        }
    }

    /**
     * Whether {@code chain} (leaf first, as presented) leads to {@code anchor}, every certificate valid at
     * {@code now}. The anchor may be a root or an intermediate; copies of it or of anything above it in the presented
     * chain are ignored.
     */
    static boolean chainsTo(List<X509Certificate> chain, X509Certificate anchor, Instant now) {
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate cert : chain) {
            if (same(cert, anchor)) {
                break;
            }
            path.add(cert);
        }
        if (path.isEmpty() || !isCurrent(anchor, now)) {
            return false;
        }
        try {
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            params.setRevocationEnabled(false);
            params.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
