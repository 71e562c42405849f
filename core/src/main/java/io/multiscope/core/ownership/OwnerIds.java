package io.multiscope.core.ownership;

import io.multiscope.core.InvalidRequestException;
import java.util.regex.Pattern;

/** The rule for owner (tenant) ids in the ownership registry: 1 to 128 of {@code A-Z a-z 0-9 . _ : @ -}. */
public final class OwnerIds {

    /** The longest owner id a store has to keep. */
    public static final int MAX_LENGTH = 128;

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:@-]{1," + MAX_LENGTH + "}");

    private OwnerIds() {
    }

    /**
     * Returns {@code owner} if it follows the rule.
     *
     * @throws InvalidRequestException (type {@code invalid-owner}) otherwise
     */
    public static String check(String owner) {
        if (owner == null || !VALID.matcher(owner).matches()) {
            throw new InvalidRequestException("invalid-owner", "Owner id must be 1 to " + MAX_LENGTH
                    + " characters of A-Z a-z 0-9 . _ : @ - (got " + describe(owner) + ")");
        }
        return owner;
    }

    private static String describe(String owner) {
        if (owner == null) {
            return "nothing";
        }
        return owner.length() > 40 ? owner.length() + " characters" : "'" + owner + "'";
    }
}
