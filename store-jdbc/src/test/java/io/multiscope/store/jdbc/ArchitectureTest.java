package io.multiscope.store.jdbc;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.multiscope.store.jdbc");

    @Test
    void theStoreSpeaksPlainJdbcAndLeavesDriversAndPoolsToTheApplication() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.postgresql..", "org.mariadb..",
                "com.mysql..", "com.zaxxer..").check(classes);
    }

    @Test
    void onlyTheEmbeddedDefaultTouchesH2() {
        noClasses().that().doNotHaveSimpleName("EmbeddedH2").should().dependOnClassesThat()
                .resideInAnyPackage("org.h2..").check(classes);
    }

    @Test
    void theInternalsNeverCallBackIntoTheStoreFacade() {
        noClasses().that().resideInAPackage("..internal..").should().dependOnClassesThat()
                .haveSimpleName("JdbcInventoryStore").check(classes);
    }
}
