package io.multiscope.core.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the simple CSV of the import files: blank lines and lines starting with {@code #} are skipped, the first
 * other line is a header naming the columns (case-insensitive, in any order), every later line is a data row split
 * on commas, empty trailing fields kept. Fields are not quoted. Checking the fields is left to the importer.
 */
public final class CsvRows {

    private final String source;
    private final BufferedReader in;
    private final List<String> required;
    private final List<String> optional;
    private Map<String, Integer> columns;
    private int expectedFields;
    private long lineNumber;

    private CsvRows(String source, Reader csv, List<String> required, List<String> optional) {
        this.source = source;
        this.in = csv instanceof BufferedReader b ? b : new BufferedReader(csv);
        this.required = List.copyOf(required);
        this.optional = List.copyOf(optional);
    }

    /**
     * @param source what is read, for error messages (e.g. {@code claim code list 'batch-7'})
     * @param required columns the header must name, lower case
     * @param optional columns the header may name, lower case
     */
    public static CsvRows open(String source, Reader csv, List<String> required, List<String> optional) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(csv, "csv");
        if (required.isEmpty()) {
            throw new IllegalArgumentException("at least one column must be required");
        }
        return new CsvRows(source, csv, required, optional);
    }

    /**
     * The next data row, or {@code null} after the last one.
     *
     * @throws IllegalArgumentException if the header names an unknown column, a column twice or lacks a required
     *     one, or if the input ends without a header
     * @throws UncheckedIOException if reading fails
     */
    public Row next() {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                if (columns == null) {
                    header(trimmed);
                    continue;
                }
                return new Row(lineNumber, trimmed.split(",", -1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + source + " failed at line " + lineNumber, e);
        }
        if (columns == null) {
            StringBuilder expected = new StringBuilder(String.join(",", required));
            optional.forEach(c -> expected.append("[,").append(c).append(']'));
            throw new IllegalArgumentException(source + " has no header line; expected " + expected);
        }
        return null;
    }

    private void header(String line) {
        String[] names = line.split(",", -1);
        Map<String, Integer> found = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            String name = names[i].strip();
            String column = name.toLowerCase(Locale.ROOT);
            if (!required.contains(column) && !optional.contains(column)) {
                List<String> all = new ArrayList<>(required);
                optional.forEach(c -> all.add("optionally " + c));
                throw new IllegalArgumentException("line " + lineNumber + ": unknown column '" + name
                        + "'; expected " + list(all));
            }
            if (found.putIfAbsent(column, i) != null) {
                throw new IllegalArgumentException("line " + lineNumber + ": column '" + name + "' appears twice");
            }
        }
        if (!found.keySet().containsAll(required)) {
            throw new IllegalArgumentException("line " + lineNumber + ": the header must name the columns "
                    + list(required));
        }
        columns = Map.copyOf(found);
        expectedFields = found.values().stream().mapToInt(Integer::intValue).max().orElseThrow() + 1;
    }

    /** "a", "a and b", "a, b and c". */
    private static String list(List<String> items) {
        int last = items.size() - 1;
        return last == 0 ? items.get(0) : String.join(", ", items.subList(0, last)) + " and " + items.get(last);
    }

    /** One data row. */
    public final class Row {
        private final long lineNumber;
        private final String[] fields;

        private Row(long lineNumber, String[] fields) {
            this.lineNumber = lineNumber;
            this.fields = fields;
        }

        /** The row's line in the input, counting from 1 and including skipped lines. */
        public long lineNumber() {
            return lineNumber;
        }

        /** The fields as written, unstripped. */
        public List<String> fields() {
            return Arrays.asList(fields.clone());
        }

        /**
         * The stripped field of a column, or the empty string when the header does not name the column or the row is
         * too short for it.
         */
        public String field(String column) {
            Integer index = columns.get(column);
            return index == null || index >= fields.length ? "" : fields[index].strip();
        }

        /** Why the row does not have as many fields as the header has columns, or {@code null} when it does. */
        public String fieldCountProblem() {
            return fields.length == expectedFields ? null
                    : "expected " + expectedFields + " fields, found " + fields.length;
        }
    }
}
