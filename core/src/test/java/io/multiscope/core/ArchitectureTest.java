package io.multiscope.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dependency rules of the module map; a wrong arrow fails the build. */
class ArchitectureTest {

    private static JavaClasses spi;
    private static JavaClasses core;

    @BeforeAll
    static void importClasses() {
        ClassFileImporter importer = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS);
        spi = importer.importPackages("io.multiscope.spi");
        core = importer.importPackages("io.multiscope.core");
    }

    @Test
    void theAllocatorSpiDependsOnNothingButTheJdk() {
        classes().should().onlyDependOnClassesThat().resideInAnyPackage("io.multiscope.spi..", "java..")
                .because("a team writing a custom allocator compiles against allocator-spi alone")
                .check(spi);
    }

    @Test
    void coreNeverUsesAStoreImplementationOrItsDriver() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("io.multiscope.store..", "java.sql..", "javax.sql..", "com.azure.cosmos..")
                .because("stores plug into core through InventoryStore; core must not know any of them")
                .check(core);
    }

    @Test
    void onlyTheDpsGatewayPackageTouchesTheAzureIotSdk() {
        noClasses().that().resideOutsideOfPackages("io.multiscope.core.dps..")
                .should().dependOnClassesThat().resideInAPackage("com.microsoft.azure.sdk.iot..")
                .because("the rest of core talks to DPS through an interface, so it can be tested and replaced")
                .allowEmptyShould(true)
                .check(core);
    }

    @Test
    void coreDoesNotDependOnTestingLibraries() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("org.junit..", "org.assertj..", "io.multiscope.testkit..")
                .check(core);
    }

    @Test
    void publicApiDoesNotLeakInternalTypesThroughPublicMethods() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods().that().arePublic()
                .and().areDeclaredInClassesThat().resideOutsideOfPackage("..internal..")
                .and().areDeclaredInClassesThat().arePublic()
                .should().haveRawReturnType(com.tngtech.archunit.base.DescribedPredicate.not(
                        com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage("..internal..")))
                .because("internal packages are excluded from the published javadoc and may change at any time")
                .check(core);
    }
}
