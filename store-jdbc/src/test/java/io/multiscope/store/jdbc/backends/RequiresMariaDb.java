package io.multiscope.store.jdbc.backends;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the annotated test class only when a MariaDB server answers; otherwise skips it with the reason, unless
 * {@code MULTISCOPE_REQUIRE_SERVICES=true}, where the tests run and fail on the missing server.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresMariaDb.Condition.class)
public @interface RequiresMariaDb {

    /** Decides per test class. */
    final class Condition implements ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            var missing = MariaDbDatabase.unavailable();
            if (missing.isEmpty()) {
                return ConditionEvaluationResult.enabled("MariaDB at " + MariaDbDatabase.url());
            }
            if (Boolean.parseBoolean(System.getenv("MULTISCOPE_REQUIRE_SERVICES"))) {
                return ConditionEvaluationResult.enabled("MULTISCOPE_REQUIRE_SERVICES=true, so the missing server "
                        + "fails the tests: " + missing.get());
            }
            return ConditionEvaluationResult.disabled("Skipped: " + missing.get()
                    + " (set MULTISCOPE_REQUIRE_SERVICES=true to fail instead)");
        }
    }
}
