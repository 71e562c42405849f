package io.multiscope.examples;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/** Small pieces the demos share. */
final class DemoSupport {

    private static final Pattern PROBLEM_TYPE = Pattern.compile("\"type\":\"[^\"]*/([a-z-]+)\"");

    private DemoSupport() {
    }

    /**
     * The SDK logs each registration step, and each device its result, at INFO; for a fleet that drowns the demo's
     * own output. (slf4j-simple reads these when a logger is first used, so this works unless set already.)
     */
    static void quietLogging(String... moreLoggers) {
        Stream.concat(Stream.of("com.microsoft.azure.sdk.iot", "io.multiscope.device"), Stream.of(moreLoggers))
                .forEach(logger -> {
                    String key = "org.slf4j.simpleLogger.log." + logger;
                    if (System.getProperty(key) == null) {
                        System.setProperty(key, "warn");
                    }
                });
    }

    /** A 32-byte key in base64, the same on every run, so a demo's output is reproducible. */
    static String demoKey(long seed) {
        byte[] key = new byte[32];
        new Random(seed).nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** The last segment of a problem document's {@code type}, e.g. {@code claim-code-used}. */
    static String problemType(String body) {
        Matcher m = PROBLEM_TYPE.matcher(body);
        return m.find() ? m.group(1) : "(no problem type)";
    }

    static HttpClient httpClient(SSLContext tls) {
        return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** {@code m:ss}. */
    static String clock(Duration d) {
        return String.format("%d:%02d", d.toMinutes(), d.toSecondsPart());
    }

    static void deleteTree(Path dir) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
