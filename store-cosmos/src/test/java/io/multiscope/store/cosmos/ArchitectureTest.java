package io.multiscope.store.cosmos;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module's package rules; a wrong arrow fails the build. */
class ArchitectureTest {

    private static JavaClasses store;

    @BeforeAll
    static void importClasses() {
        store = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.multiscope.store.cosmos");
    }

    @Test
    void publicApiDoesNotLeakInternalTypes() {
        methods().that().arePublic().and().areDeclaredInClassesThat().resideOutsideOfPackage("..internal..")
                .and().areDeclaredInClassesThat().arePublic()
                .should().haveRawReturnType(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage("..internal..")))
                .because("internal packages are excluded from the published javadoc and may change at any time")
                .check(store);
    }

    @Test
    void internalsDoNotDependOnTheStoreFacade() {
        noClasses().that().resideInAPackage("..internal..").should().dependOnClassesThat()
                .belongToAnyOf(CosmosInventoryStore.class, CosmosContainers.class)
                .because("the facade wires the internals, not the other way round")
                .check(store);
    }

    @Test
    void mainCodeDoesNotDependOnTestingLibraries() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("org.junit..", "org.assertj..", "io.multiscope.testkit..")
                .check(store);
    }
}
