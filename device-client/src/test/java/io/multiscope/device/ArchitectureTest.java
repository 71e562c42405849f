package io.multiscope.device;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a device carries must stay small and independent of the server side. */
class ArchitectureTest {

    private static JavaClasses device;

    @BeforeAll
    static void importClasses() {
        device = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.multiscope.device");
    }

    @Test
    void theDeviceClientNeverDependsOnServerSideCode() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.multiscope.core..", "io.multiscope.spi..",
                "io.multiscope.testkit..", "io.multiscope.store..", "com.fasterxml..", "com.google..",
                "com.github.benmanes..", "dev.failsafe..", "com.azure..", "org.bouncycastle..", "java.sql..")
                .because("device-client runs on devices: the Azure device SDK and slf4j are all it may use")
                .check(device);
    }

    @Test
    void itUsesOnlyTheJdkTheAzureDeviceSdkAndSlf4j() {
        classes().should().onlyDependOnClassesThat().resideInAnyPackage("io.multiscope.device..", "java..",
                "javax.net..", "javax.crypto..", "javax.security.auth.x500..",
                "com.microsoft.azure.sdk.iot.provisioning.device..",
                "com.microsoft.azure.sdk.iot.provisioning.security..", "org.slf4j..")
                .because("every other dependency would grow what an OEM ships on each device")
                .check(device);
    }

    @Test
    void onlyTheInternalPackageTouchesTheAzureSdk() {
        noClasses().that().resideOutsideOfPackage("io.multiscope.device.internal..").should()
                .dependOnClassesThat().resideInAPackage("com.microsoft.azure.sdk.iot..")
                .because("the SDK's types are an implementation detail the public API must not leak")
                .check(device);
    }

    @Test
    void thePublicApiDoesNotReturnInternalTypes() {
        methods().that().arePublic().and().areDeclaredInClassesThat().resideOutsideOfPackage("..internal..")
                .and().areDeclaredInClassesThat().arePublic()
                .should().haveRawReturnType(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage(
                        "..internal..")))
                .check(device);
    }
}
