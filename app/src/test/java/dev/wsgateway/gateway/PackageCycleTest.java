package dev.wsgateway.gateway;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package structure of docs/ARCHITECTURE.md: no cycles between the gateway's packages, and the layers only point
 * down (http and config at the bottom, ingress and observe at the top).
 */
class PackageCycleTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.wsgateway.gateway");
    }

    @Test
    void noCyclesBetweenPackages() {
        slices().matching("dev.wsgateway.gateway.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void httpAndConfigDependOnNoOtherPackage() {
        noClasses().that().resideInAnyPackage("..gateway.http..", "..gateway.config..")
                .should().dependOnClassesThat().resideInAnyPackage("..gateway.balancing..", "..gateway.upstream..",
                                                                  "..gateway.instances..",
                                                                  "..gateway.relay..", "..gateway.ingress..",
                                                                  "..gateway.security..", "..gateway.observe..",
                                                                  "..gateway.demo..")
                .check(classes);
    }

    @Test
    void relayKnowsNothingOfIngressSecurityOrObserve() {
        noClasses().that().resideInAnyPackage("..gateway.relay..", "..gateway.upstream..", "..gateway.balancing..",
                                              "..gateway.instances..")
                .should().dependOnClassesThat().resideInAnyPackage("..gateway.ingress..", "..gateway.security..",
                                                                  "..gateway.observe..")
                .check(classes);
    }

    @Test
    void instanceKnowledgeUsesNoSessionsAndNoConnecting() {
        // the migrations reach sessions through InstanceMigration.SessionMover, which the wiring implements
        noClasses().that().resideInAPackage("..gateway.instances..")
                .should().dependOnClassesThat().resideInAnyPackage("..gateway.relay..", "..gateway.upstream..",
                                                                  "..gateway.balancing..", "..gateway.http..")
                .check(classes);
    }

    @Test
    void onlyTheServerWiringUsesTheRootPackage() {
        noClasses().that().resideOutsideOfPackage("dev.wsgateway.gateway")
                .should().dependOnClassesThat().resideInAPackage("dev.wsgateway.gateway")
                .check(classes);
    }
}
