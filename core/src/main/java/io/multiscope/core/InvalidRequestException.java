package io.multiscope.core;

/** Input that breaks a rule (a malformed registration id, an unknown tenant, ...). Nothing was changed. */
public class InvalidRequestException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    private final String problemType;

    /**
     * @param problemType a short stable identifier of the rule that was broken, e.g. {@code invalid-registration-id};
     *     the HTTP API publishes it as the problem {@code type}
     */
    public InvalidRequestException(String problemType, String message) {
        this(problemType, message, null);
    }

    public InvalidRequestException(String problemType, String message, String registrationId) {
        super(message, registrationId, null, null);
        this.problemType = problemType;
    }

    public String problemType() {
        return problemType;
    }
}
