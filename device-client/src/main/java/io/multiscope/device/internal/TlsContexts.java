package io.multiscope.device.internal;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The one TLS context a device uses for the provisioning API, the DPS status lookup and (through its security
 * provider) the Azure SDK: which CAs it trusts and, for X.509 devices, which certificate it presents.
 */
public final class TlsContexts {

    /** Never written anywhere: PKCS12 key stores want a password even in memory. */
    private static final char[] IN_MEMORY_PASSWORD = "in-memory".toCharArray();

    private TlsContexts() {
    }

    /**
     * @param extraCas CAs to trust besides (or instead of) the JVM's
     * @param includeSystemCas whether the JVM's default trust store stays trusted
     * @param clientChain the device certificate followed by its intermediates, or empty for none
     * @param clientKey the device's private key, or null for none
     */
    public static SSLContext create(List<X509Certificate> extraCas, boolean includeSystemCas,
            List<X509Certificate> clientChain, PrivateKey clientKey) {
        try {
            TrustManager[] trust = extraCas.isEmpty() && includeSystemCas ? null : trustManagers(extraCas,
                    includeSystemCas);
            KeyManager[] keys = clientKey == null ? null : keyManagers(clientChain, clientKey);
            // "TLS" negotiates 1.3 where both sides can and 1.2 otherwise (DPS requires at least 1.2).
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS with the given certificates: " + e.getMessage(), e);
        }
    }

    private static TrustManager[] trustManagers(List<X509Certificate> extraCas, boolean includeSystemCas)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        List<X509Certificate> anchors = new ArrayList<>(extraCas);
        if (includeSystemCas) {
            TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            system.init((KeyStore) null);
            for (TrustManager tm : system.getTrustManagers()) {
                if (tm instanceof X509TrustManager) {
                    anchors.addAll(List.of(((X509TrustManager) tm).getAcceptedIssuers()));
                }
            }
        }
        int i = 0;
        for (X509Certificate ca : anchors) {
            store.setCertificateEntry("ca-" + i++, ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf.getTrustManagers();
    }

    private static KeyManager[] keyManagers(List<X509Certificate> chain, PrivateKey key)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("device", key, IN_MEMORY_PASSWORD, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, IN_MEMORY_PASSWORD);
        return kmf.getKeyManagers();
    }
}
