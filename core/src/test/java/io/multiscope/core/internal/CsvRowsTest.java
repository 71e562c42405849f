package io.multiscope.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvRowsTest {

    private static CsvRows open(String text) {
        return CsvRows.open("test list 'b1'", new StringReader(text), List.of("id", "code"), List.of("expires"));
    }

    private static List<CsvRows.Row> all(CsvRows rows) {
        List<CsvRows.Row> out = new ArrayList<>();
        for (CsvRows.Row row = rows.next(); row != null; row = rows.next()) {
            out.add(row);
        }
        return out;
    }

    @Test
    void skipsBlankLinesAndCommentsAndCountsThemInLineNumbers() {
        List<CsvRows.Row> rows = all(open("# made by the factory\n\n  CODE , Id\n   \n"
                + "c1, a \n# halfway\nc2,b\n\n"));

        assertThat(rows).extracting(CsvRows.Row::lineNumber).containsExactly(5L, 7L);
        assertThat(rows).extracting(r -> r.field("id")).containsExactly("a", "b");
        assertThat(rows).extracting(r -> r.field("code")).containsExactly("c1", "c2");
        assertThat(rows.get(0).fields()).containsExactly("c1", " a");
        assertThat(rows).allSatisfy(r -> assertThat(r.fieldCountProblem()).isNull());
    }

    @Test
    void absentOptionalColumnReadsAsEmpty() {
        CsvRows.Row row = all(open("id,code\na,c\n")).get(0);

        assertThat(row.field("expires")).isEmpty();
    }

    @Test
    void keepsEmptyTrailingFieldsAndReportsWrongFieldCounts() {
        List<CsvRows.Row> rows = all(open("id,code,expires\na,c,\na,c\na,c,,\n"));

        assertThat(rows.get(0).fields()).containsExactly("a", "c", "");
        assertThat(rows.get(0).fieldCountProblem()).isNull();
        assertThat(rows.get(1).fieldCountProblem()).isEqualTo("expected 3 fields, found 2");
        assertThat(rows.get(1).field("expires")).isEmpty();
        assertThat(rows.get(2).fieldCountProblem()).isEqualTo("expected 3 fields, found 4");
    }

    @Test
    void unknownColumnIsRefusedWithItsLine() {
        assertThatThrownBy(() -> open("# x\nid,code,Colour\na,b,c\n").next())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 2: unknown column 'Colour'; expected id, code and optionally expires");
    }

    @Test
    void unknownColumnMessageWithoutOptionalColumns() {
        CsvRows rows = CsvRows.open("x", new StringReader("a,z\n"), List.of("a", "b", "c"), List.of());

        assertThatThrownBy(rows::next).hasMessage("line 1: unknown column 'z'; expected a, b and c");
    }

    @Test
    void duplicateColumnIsRefused() {
        assertThatThrownBy(() -> open("id,code,ID\n").next())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 1: column 'ID' appears twice");
    }

    @Test
    void missingRequiredColumnIsRefused() {
        assertThatThrownBy(() -> open("\nid,expires\n").next())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 2: the header must name the columns id and code");
    }

    @Test
    void inputWithoutHeaderIsRefused() {
        assertThatThrownBy(() -> open("# only comments\n\n").next())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("test list 'b1' has no header line; expected id,code[,expires]");
    }

    @Test
    void headerOnlyHasNoRows() {
        assertThat(all(open("id,code\n# nothing yet\n"))).isEmpty();
    }

    @Test
    void readFailureNamesTheSourceAndLastLineRead() {
        Reader failing = new Reader() {
            private final Reader lines = new StringReader("id,code\na,b\n");

            @Override
            public int read(char[] buf, int off, int len) throws IOException {
                int n = lines.read(buf, off, len);
                if (n < 0) {
                    throw new IOException("disk gone");
                }
                return n;
            }

            @Override
            public void close() {
            }
        };
        CsvRows rows = CsvRows.open("test list 'b1'", failing, List.of("id", "code"), List.of());

        assertThat(rows.next().lineNumber()).isEqualTo(2);
        assertThatThrownBy(rows::next).isInstanceOf(UncheckedIOException.class)
                .hasMessage("reading test list 'b1' failed at line 2");
    }
}
