package io.multiscope.store.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.store.jdbc.JdbcDialect;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class DialectTest {

    private final Dialect postgres = Dialect.of(JdbcDialect.POSTGRESQL);
    private final Dialect mariadb = Dialect.of(JdbcDialect.MARIADB);
    private final Dialect h2 = Dialect.of(JdbcDialect.H2);

    @Test
    void productNamesMapToDialects() {
        assertThat(JdbcDialect.forProductName("H2")).isEqualTo(JdbcDialect.H2);
        assertThat(JdbcDialect.forProductName("PostgreSQL")).isEqualTo(JdbcDialect.POSTGRESQL);
        assertThat(JdbcDialect.forProductName("MariaDB")).isEqualTo(JdbcDialect.MARIADB);
        assertThat(JdbcDialect.forProductName("MySQL")).isEqualTo(JdbcDialect.MARIADB);
        assertThatThrownBy(() -> JdbcDialect.forProductName("Oracle")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Oracle").hasMessageContaining("dialect(");
    }

    @Test
    void connectionLossSerializationFailuresAndDeadlocksAreTransientEverywhere() {
        for (Dialect d : new Dialect[] {postgres, mariadb, h2}) {
            assertThat(d.isTransient(new SQLException("gone", "08006"))).isTrue();
            assertThat(d.isTransient(new SQLException("serialization", "40001"))).isTrue();
            assertThat(d.isTransient(new SQLTransientConnectionException("pool timeout"))).isTrue();
            assertThat(d.isTransient(new SQLException("syntax", "42601"))).isFalse();
            assertThat(d.isTransient(new SQLException("unique", "23505"))).isFalse();
        }
    }

    @Test
    void vendorSpecificTransientFailures() {
        assertThat(postgres.isTransient(new SQLException("deadlock", "40P01"))).isTrue();
        assertThat(postgres.isTransient(new SQLException("terminated", "57P01"))).isTrue();
        assertThat(postgres.isTransient(new SQLException("lock timeout", "55P03"))).isTrue();
        assertThat(mariadb.isTransient(new SQLException("lock wait timeout", "HY000", 1205))).isTrue();
        assertThat(mariadb.isTransient(new SQLException("killed", "70100", 1927))).isTrue();
        assertThat(mariadb.isTransient(new SQLException("data too long", "22001", 1406))).isFalse();
        assertThat(h2.isTransient(new SQLException("lock timeout", "HYT00", 50200))).isTrue();
        assertThat(h2.isTransient(new SQLException("concurrent update", "90131", 90131))).isTrue();
    }

    @Test
    void aTransientCauseDeepInTheChainCounts() {
        SQLException outer = new SQLException("batch failed", "HY000");
        outer.setNextException(new SQLException("deadlock", "40P01"));
        assertThat(postgres.isTransient(outer)).isTrue();
        assertThat(postgres.isTransient(new SQLException("wrapped", "XX000", new SQLException("io", "08006"))))
                .isTrue();
    }

    @Test
    void eachDialectWritesItsOwnInsertIfAbsent() {
        assertThat(postgres.insertIfAbsent(Table.ASSIGNMENT)).contains("ON CONFLICT (registration_id) DO NOTHING");
        assertThat(mariadb.insertIfAbsent(Table.ASSIGNMENT)).startsWith("INSERT IGNORE INTO multiscope_assignment");
        assertThat(h2.insertIfAbsent(Table.ASSIGNMENT)).startsWith("MERGE INTO multiscope_assignment")
                .contains("WHEN NOT MATCHED THEN INSERT");
    }
}
