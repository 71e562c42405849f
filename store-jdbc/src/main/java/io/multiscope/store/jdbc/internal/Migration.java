package io.multiscope.store.jdbc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One step of the schema's history, shipped as one SQL script per dialect:
 * {@code io/multiscope/store/jdbc/schema/<dialect>/V<version>__<name>.sql} (Flyway's naming, so the scripts can also
 * be applied with it).
 */
public record Migration(int version, String name, String description) {

    /** The history, oldest first. The last entry is the version this library reads and writes. */
    public static final List<Migration> ALL = List.of(
            new Migration(1, "create-inventory", "instances, assignments, one count per instance"),
            new Migration(2, "shard-instance-counts", "instance counts split into counter shards"),
            new Migration(3, "ownership-registry", "device owners, active instances, claim codes, transfer history"));

    public static int latestVersion() {
        return ALL.get(ALL.size() - 1).version();
    }

    public String resource(Dialect dialect) {
        return "io/multiscope/store/jdbc/schema/" + dialect.scriptFolder() + "/V" + version + "__" + name + ".sql";
    }

    /** The script's statements, without comments. */
    public List<String> statements(Dialect dialect) {
        String resource = resource(dialect);
        try (InputStream in = Migration.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Schema script " + resource + " is missing from the classpath");
            }
            return split(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read schema script " + resource, e);
        }
    }

    /**
     * Splits a script at semicolons after dropping {@code --} comments. The shipped scripts keep both out of string
     * literals, which is all this needs to handle.
     */
    static List<String> split(String script) {
        StringBuilder text = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            int comment = line.indexOf("--");
            text.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
        }
        List<String> statements = new ArrayList<>();
        for (String statement : text.toString().split(";")) {
            if (!statement.isBlank()) {
                statements.add(statement.strip());
            }
        }
        return statements;
    }
}
