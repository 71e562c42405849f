package io.multiscope.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllocationStrategiesTest {

    /** A provider named "first"; FirstAgain claims the same name. */
    public static class First implements AllocationStrategyProvider {
        @Override
        public String name() {
            return "first";
        }

        @Override
        public AllocationStrategy create(Map<String, String> configuration) {
            return (request, candidates) -> AllocationDecision.assign(candidates.get(0).id());
        }
    }

    public static class FirstAgain extends First {
    }

    public static class Other extends First {
        @Override
        public String name() {
            return "other";
        }
    }

    @TempDir
    Path dir;

    private ClassLoader loaderRegistering(Class<?>... providers) throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        StringBuilder lines = new StringBuilder();
        for (Class<?> p : providers) {
            lines.append(p.getName()).append('\n');
        }
        Files.writeString(services.resolve(AllocationStrategyProvider.class.getName()), lines);
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    @Test
    void loadsAProviderByName() throws IOException {
        ClassLoader loader = loaderRegistering(First.class, Other.class);
        AllocationStrategy s = AllocationStrategies.load("first", Map.of(), loader);
        assertThat(s).isNotNull();
        assertThat(AllocationStrategies.names(loader)).containsExactly("first", "other");
    }

    @Test
    void unknownNameListsTheKnownOnes() throws IOException {
        ClassLoader loader = loaderRegistering(First.class, Other.class);
        assertThatThrownBy(() -> AllocationStrategies.load("carbon-aware", Map.of(), loader))
                .isInstanceOf(AllocationStrategyDiscoveryException.class)
                .hasMessageContaining("'carbon-aware'")
                .hasMessageContaining("Known strategies: first, other");
    }

    @Test
    void duplicateNamesListTheClashingClassesAndWhereTheyCameFrom() throws IOException {
        ClassLoader loader = loaderRegistering(First.class, FirstAgain.class);
        assertThatThrownBy(() -> AllocationStrategies.load("first", Map.of(), loader))
                .isInstanceOf(AllocationStrategyDiscoveryException.class)
                .hasMessageContaining(First.class.getName())
                .hasMessageContaining(FirstAgain.class.getName())
                .hasMessageContaining("more than one provider");
    }

    @Test
    void aBrokenRegistrationIsReported() throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(AllocationStrategyProvider.class.getName()), "com.example.Missing\n");
        ClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
        assertThatThrownBy(() -> AllocationStrategies.load("x", Map.of(), loader))
                .isInstanceOf(AllocationStrategyDiscoveryException.class)
                .hasMessageContaining("com.example.Missing");
    }

    @Test
    void requestsAndCandidatesValidateTheirInput() {
        assertThatThrownBy(() -> AllocationRequest.of(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Candidate("a", "eu", java.util.Optional.empty(), java.util.Set.of(), 0,
                InstanceState.ACTIVE, 1, 0, 0)).hasMessageContaining("weight of candidate a");
        assertThat(List.of(InstanceState.values())).hasSize(3);
    }
}
