package io.multiscope.store.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.store.jdbc.JdbcDialect;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationTest {

    @Test
    void versionsAreConsecutiveFromOne() {
        for (int i = 0; i < Migration.ALL.size(); i++) {
            assertThat(Migration.ALL.get(i).version()).isEqualTo(i + 1);
        }
        assertThat(Migration.latestVersion()).isEqualTo(Migration.ALL.size());
    }

    @Test
    void everyDialectShipsEveryMigration() {
        for (JdbcDialect kind : JdbcDialect.values()) {
            Dialect dialect = Dialect.of(kind);
            for (Migration m : Migration.ALL) {
                assertThat(m.statements(dialect)).as("%s for %s", m.resource(dialect), kind).isNotEmpty();
            }
        }
    }

    @Test
    void scriptsSplitAtSemicolonsWithoutComments() {
        String script = """
                -- a comment; with a semicolon
                CREATE TABLE a (x int); -- trailing comment
                  INSERT INTO a VALUES (1)
                  ;

                DROP TABLE b;""";
        assertThat(Migration.split(script))
                .containsExactly("CREATE TABLE a (x int)", "INSERT INTO a VALUES (1)", "DROP TABLE b");
    }

    @Test
    void scriptNamesFollowFlywayConventions() {
        assertThat(Migration.ALL.get(0).resource(Dialect.of(JdbcDialect.POSTGRESQL)))
                .isEqualTo("io/multiscope/store/jdbc/schema/postgresql/V1__create-inventory.sql");
        assertThat(List.of("h2", "postgresql", "mariadb"))
                .containsExactlyInAnyOrder(Dialect.of(JdbcDialect.H2).scriptFolder(),
                        Dialect.of(JdbcDialect.POSTGRESQL).scriptFolder(),
                        Dialect.of(JdbcDialect.MARIADB).scriptFolder());
    }
}
