package dev.descent.cuda;

import dev.descent.core.Backends;
import dev.descent.core.spi.Backend;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips a test class (before its {@code @BeforeAll} runs) when the CUDA backend cannot run
 * here, with the backend's own reason, so that machines without a GPU report why.
 */
public final class RequiresCuda implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Backend cuda = Backends.installed().get("cuda");
        if (cuda == null) {
            return ConditionEvaluationResult.disabled("the cuda backend is not on the class path");
        }
        Backend.Availability a = cuda.availability();
        return a.available()
                ? ConditionEvaluationResult.enabled("cuda is available")
                : ConditionEvaluationResult.disabled("no GPU here: " + a.reason());
    }
}
