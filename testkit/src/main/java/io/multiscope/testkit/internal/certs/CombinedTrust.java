package io.multiscope.testkit.internal.certs;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Trust in the JDK's default CAs plus some test CAs. Used where the emulator replaces JVM-wide or shared trust, so
 * that connections to real hosts keep working next to the test ones.
 */
public final class CombinedTrust {

    private CombinedTrust() {
    }

    /** An SSLContext that trusts the JDK defaults and {@code extraCas}. */
    public static SSLContext sslContext(Collection<X509Certificate> extraCas) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustManager(extraCas)}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build SSLContext", e);
        }
    }

    public static X509TrustManager trustManager(Collection<X509Certificate> extraCas) {
        List<X509TrustManager> managers = new ArrayList<>();
        managers.add(fromStore(null));
        if (!extraCas.isEmpty()) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                int i = 0;
                for (X509Certificate ca : extraCas) {
                    store.setCertificateEntry("ca-" + i++, ca);
                }
                managers.add(fromStore(store));
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot build trust store", e);
            }
        }
        return new AnyOf(managers);
    }

    private static X509TrustManager fromStore(KeyStore store) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("no X509TrustManager available");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build trust manager", e);
        }
    }

    /** Trusts a chain if any of its delegates does. */
    private record AnyOf(List<X509TrustManager> delegates) implements X509TrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            CertificateException last = null;
            for (X509TrustManager tm : delegates) {
                try {
                    tm.checkClientTrusted(chain, authType);
                    return;
                } catch (CertificateException e) {
                    last = e;
                }
            }
            throw last;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            CertificateException last = null;
            for (X509TrustManager tm : delegates) {
                try {
                    tm.checkServerTrusted(chain, authType);
                    return;
                } catch (CertificateException e) {
                    last = e;
                }
            }
            throw last;
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            List<X509Certificate> all = new ArrayList<>();
            for (X509TrustManager tm : delegates) {
                all.addAll(List.of(tm.getAcceptedIssuers()));
            }
            return all.toArray(X509Certificate[]::new);
        }
    }
}
