package io.multiscope.store.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One page of rows selected by one column's value, in registration-id order, after a registration id: the paging
 * both the inventory ({@code assignmentsOn}) and the ownership registry ({@code ownedBy}) offer.
 *
 * @param items the rows read
 * @param next the last item's registration id if another page follows
 */
record KeysetPage<T>(List<T> items, Optional<String> next) {

    /** Reads one row at the result set's cursor. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    /**
     * @param select {@code SELECT <columns> FROM <table>}; the table has a {@code registration_id} column
     * @param column the column that must equal {@code value}
     */
    static <T> KeysetPage<T> read(Connection c, String select, String column, String value,
            Optional<String> requestedAfter, int limit, RowReader<T> reader, Function<T, String> registrationId)
            throws SQLException {
        Optional<String> after = KeysetBound.registrationIdAfter(requestedAfter);
        String sql = select + " WHERE " + column + " = ?" + (after.isPresent() ? " AND registration_id > ?" : "")
                + " ORDER BY registration_id LIMIT ?";
        List<T> items = new ArrayList<>(Math.min(limit, 1024));
        boolean more = false;
        try (PreparedStatement p = c.prepareStatement(sql)) {
            int i = 1;
            p.setString(i++, value);
            if (after.isPresent()) {
                p.setString(i++, after.get());
            }
            p.setInt(i, limit + 1); // one more than asked tells whether another page follows
            p.setFetchSize(Math.min(limit + 1, 1000));
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    if (items.size() == limit) {
                        more = true;
                        break;
                    }
                    items.add(reader.read(r));
                }
            }
        }
        return new KeysetPage<>(items,
                more ? Optional.of(registrationId.apply(items.get(items.size() - 1))) : Optional.empty());
    }
}
