package io.multiscope.testkit.internal.certs;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Server-side TLS trust that accepts any client certificate chain and names no acceptable issuers. DPS decides per
 * enrollment, after the handshake, whether a device certificate is good; and with a non-empty issuer list the JDK
 * client would only send a certificate issued by one of them.
 */
public final class DeferredClientTrust implements X509TrustManager {

    private DeferredClientTrust() {
    }

    /** A server SSLContext presenting {@code keyManagers} and deferring client-certificate checks. */
    public static SSLContext serverContext(KeyManager[] keyManagers) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, new TrustManager[] {new DeferredClientTrust()}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the server SSLContext", e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // checked per enrollment after the handshake
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        throw new UnsupportedOperationException("server-side trust only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
