package io.multiscope.testkit.internal.launcher;

import java.nio.file.Path;

/** The launcher's command line. */
record LauncherOptions(int instances, int port, String bind, boolean instant, int proxyPort, Path outDir,
        String mqtt, boolean help) {

    static final String USAGE = """
            Usage: java -jar multiscope-dps-emulator.jar [options]

              --instances N     emulated DPS instances (default 1)
              --port P          HTTPS port for device and service APIs (default 8443; 0 picks a free one)
              --bind ADDRESS    address to listen on (default 127.0.0.1)
              --instant         answer registrations with 200 assigned at once instead of 202 then a poll
              --proxy-port P    port of the CONNECT relay for the service client (default 0 = a free one)
              --no-proxy        run no relay
              --mqtt ADDRESS    also serve MQTT on ADDRESS:8883 (the SDK's fixed MQTT port), e.g. 127.0.0.2
              --out DIR         where to write ca.pem and truststore.p12
                                (default: <java.io.tmpdir>/multiscope-dps-emulator)
              --help            show this text""";

    static LauncherOptions parse(String[] args) {
        int instances = 1;
        int port = 8443;
        String bind = "127.0.0.1";
        boolean instant = false;
        int proxyPort = 0;
        Path outDir = Path.of(System.getProperty("java.io.tmpdir"), "multiscope-dps-emulator");
        String mqtt = null;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--instances" -> instances = number(arg, value(args, ++i, arg), 1, 100);
                case "--port" -> port = number(arg, value(args, ++i, arg), 0, 65535);
                case "--bind" -> bind = value(args, ++i, arg);
                case "--instant" -> instant = true;
                case "--proxy-port" -> proxyPort = number(arg, value(args, ++i, arg), 0, 65535);
                case "--no-proxy" -> proxyPort = -1;
                case "--out" -> outDir = Path.of(value(args, ++i, arg));
                case "--mqtt" -> mqtt = value(args, ++i, arg);
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        return new LauncherOptions(instances, port, bind, instant, proxyPort, outDir, mqtt, help);
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int number(String option, String text, int min, int max) {
        try {
            int n = Integer.parseInt(text);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number from " + min + " to " + max + ", not '"
                    + text + "'");
        }
    }
}
