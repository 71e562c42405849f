package io.multiscope.testkit.internal.launcher;

import io.multiscope.testkit.DpsEmulator;
import io.multiscope.testkit.EmulatedDpsInstance;
import io.multiscope.testkit.LinkedHub;
import io.multiscope.testkit.TestCertificates;
import io.multiscope.testkit.internal.routing.ConnectRelay;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar multiscope-dps-emulator.jar [options]}: runs the emulator until interrupted and prints what a
 * developer needs to point a DPS client at it by hand.
 */
public final class EmulatorLauncher {

    static final String GROUP_ID = "default-group";
    static final String TRUST_STORE_PASSWORD = "changeit";

    private EmulatorLauncher() {
    }

    public static void main(String[] args) throws Exception {
        LauncherOptions options;
        try {
            options = LauncherOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println();
            System.err.println(LauncherOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(LauncherOptions.USAGE);
            return;
        }
        TestCertificates pki = TestCertificates.create();
        DpsEmulator.Builder builder = DpsEmulator.builder()
                .certificates(pki)
                .bindAddress(InetAddress.getByName(options.bind()))
                .port(options.port())
                .instantAssignment(options.instant());
        if (options.mqtt() != null) {
            builder.mqtt(InetAddress.getByName(options.mqtt()));
        }
        for (int i = 1; i <= options.instances(); i++) {
            String scope = String.format(Locale.ROOT, "0ne%08X", i);
            builder.instance("dps-" + i, s -> s.idScope(scope));
        }
        DpsEmulator emulator = builder.start();
        Map<String, String> groupKeys = new HashMap<>();
        for (EmulatedDpsInstance instance : emulator.instances()) {
            groupKeys.put(instance.name(), instance.createSymmetricKeyGroup(GROUP_ID));
        }
        ConnectRelay relay = null;
        if (options.proxyPort() >= 0) {
            Map<String, InetSocketAddress> routes = new HashMap<>();
            InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), emulator.port());
            emulator.instances().forEach(i -> routes.put(i.serviceHostName(), target));
            relay = ConnectRelay.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), options.proxyPort()),
                    host -> Optional.ofNullable(routes.get(host)));
        }
        Files.createDirectories(options.outDir());
        Path caFile = options.outDir().resolve("ca.pem");
        Files.writeString(caFile, pki.caPem(), StandardCharsets.US_ASCII);
        Path trustStore = options.outDir().resolve("truststore.p12");
        pki.writeTrustStore(trustStore, TRUST_STORE_PASSWORD.toCharArray());

        print(System.out, emulator, groupKeys, relay, caFile, trustStore);

        CountDownLatch stopped = new CountDownLatch(1);
        ConnectRelay relayToClose = relay;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (relayToClose != null) {
                relayToClose.close();
            }
            emulator.close();
            stopped.countDown();
        }, "dps-emulator-shutdown"));
        stopped.await();
    }

    private static void print(PrintStream out, DpsEmulator emulator, Map<String, String> groupKeys,
            ConnectRelay relay, Path caFile, Path trustStore) throws IOException {
        out.println("Multiscope DPS emulator (a local stand-in for Azure DPS, not the service itself)");
        out.println("  listening on      https://" + emulator.deviceEndpoint());
        out.println("  mode              " + (emulator.isInstantAssignment()
                ? "instant (200 assigned on register)" : "realistic (202 assigning, then the result on a poll)"));
        emulator.mqttEndpoint().ifPresent(mqtt -> out.println("  MQTT              ssl://" + mqtt + ":8883 (SDK endpoint "
                + mqtt + " with the MQTT transport)"));
        out.println("  test CA           " + caFile.toAbsolutePath());
        out.println("  trust store       " + trustStore.toAbsolutePath() + " (PKCS12, password "
                + TRUST_STORE_PASSWORD + ")");
        if (relay != null) {
            out.println("  service proxy     127.0.0.1:" + relay.address().getPort()
                    + " (CONNECT relay for the service host names below)");
            out.println();
            out.println("  A service client in another JVM reaches the service API with");
            out.println("    -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=" + relay.address().getPort()
                    + " -Djavax.net.ssl.trustStore=" + trustStore.toAbsolutePath()
                    + " -Djavax.net.ssl.trustStorePassword=" + TRUST_STORE_PASSWORD
                    + " -Djavax.net.ssl.trustStoreType=PKCS12");
            out.println("  (the relay refuses every other host, so use it only in a JVM that talks to nothing else)");
        }
        for (EmulatedDpsInstance instance : emulator.instances()) {
            out.println();
            out.println(instance.name());
            out.println("  global endpoint    " + instance.deviceEndpoint());
            out.println("  ID scope           " + instance.idScope());
            out.println("  service host       " + instance.serviceHostName());
            out.println("  service connection " + instance.serviceConnectionString());
            out.println("  enrollment group   " + GROUP_ID + " (symmetric key)");
            out.println("  group primary key  " + groupKeys.get(instance.name()));
            for (LinkedHub hub : instance.linkedHubs()) {
                out.println("  linked hub         " + hub.hostName());
            }
        }
        out.println();
        out.println("Device keys derive from the group key: base64(HMAC-SHA256(base64decode(groupKey), registrationId)).");
        out.println("Press Ctrl+C to stop.");
        out.flush();
    }
}
