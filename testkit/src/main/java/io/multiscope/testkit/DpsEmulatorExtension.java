package io.multiscope.testkit;

import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Runs a {@link DpsEmulator} for a test class (registered on a {@code static} field) or for each test (registered
 * on an instance field), and injects it into test and lifecycle method parameters of type {@link DpsEmulator}.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final DpsEmulatorExtension DPS = DpsEmulatorExtension.with(b -> b
 *         .instance("dps-eu-1", i -> i.idScope("0ne0001A1B2"))
 *         .instantAssignment(true));
 *
 * @Test
 * void registers(DpsEmulator dps) { ... }
 * }</pre>
 *
 * <p>With a class-wide emulator, state carries over between tests unless {@link #resetBeforeEachTest()} is set.
 */
public final class DpsEmulatorExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {

    private final Consumer<DpsEmulator.Builder> configuration;
    private boolean resetBeforeEach;
    private DpsEmulator emulator;
    private boolean perClass;

    private DpsEmulatorExtension(Consumer<DpsEmulator.Builder> configuration) {
        this.configuration = configuration;
    }

    /** An extension whose emulator is configured by {@code configuration}. */
    public static DpsEmulatorExtension with(Consumer<DpsEmulator.Builder> configuration) {
        return new DpsEmulatorExtension(Objects.requireNonNull(configuration, "configuration"));
    }

    /** An extension running one default instance, {@code dps-1}, in instant mode. */
    public static DpsEmulatorExtension withDefaults() {
        return with(b -> b.instantAssignment(true));
    }

    /** Resets every instance before each test when the emulator is shared by the class. */
    public DpsEmulatorExtension resetBeforeEachTest() {
        this.resetBeforeEach = true;
        return this;
    }

    /**
     * The running emulator.
     *
     * @throws IllegalStateException outside a test's lifetime
     */
    public DpsEmulator emulator() {
        if (emulator == null) {
            throw new IllegalStateException("the DPS emulator runs only while a test of the class runs");
        }
        return emulator;
    }

    /** Shorthand for {@code emulator().instance(name)}. */
    public EmulatedDpsInstance instance(String name) {
        return emulator().instance(name);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        emulator = start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (emulator == null) {
            emulator = start();
        } else if (perClass && resetBeforeEach) {
            emulator.reset();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == DpsEmulator.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return emulator();
    }

    private DpsEmulator start() {
        DpsEmulator.Builder builder = DpsEmulator.builder();
        configuration.accept(builder);
        return builder.start();
    }

    private void stop() {
        if (emulator != null) {
            emulator.close();
            emulator = null;
        }
    }
}
