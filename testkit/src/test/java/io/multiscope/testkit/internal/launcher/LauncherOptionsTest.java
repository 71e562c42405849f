package io.multiscope.testkit.internal.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LauncherOptionsTest {

    @Test
    void defaultsAndOverrides() {
        LauncherOptions defaults = LauncherOptions.parse(new String[0]);
        assertThat(defaults.instances()).isEqualTo(1);
        assertThat(defaults.port()).isEqualTo(8443);
        assertThat(defaults.instant()).isFalse();
        assertThat(defaults.proxyPort()).isZero();

        LauncherOptions given = LauncherOptions.parse(new String[] {"--instances", "3", "--port", "9443", "--instant",
                "--no-proxy", "--out", "build", "--mqtt", "127.0.0.2"});
        assertThat(given.instances()).isEqualTo(3);
        assertThat(given.port()).isEqualTo(9443);
        assertThat(given.instant()).isTrue();
        assertThat(given.proxyPort()).isEqualTo(-1);
        assertThat(given.outDir()).isEqualTo(Path.of("build"));
        assertThat(given.mqtt()).isEqualTo("127.0.0.2");
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--instances", "0"}))
                .hasMessage("--instances takes a number from 1 to 100, not '0'");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--port"})).hasMessage("--port needs a value");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--bogus"}))
                .hasMessage("unknown option '--bogus'");
    }
}
