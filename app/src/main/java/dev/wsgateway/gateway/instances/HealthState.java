package dev.wsgateway.gateway.instances;

import java.time.Instant;

/**
 * The health of one instance as its active checks see it: healthy until N checks in a row fail, then unhealthy until
 * M checks in a row pass. Not thread-safe: {@link InstanceHealth} serialises the updates of an instance.
 */
final class HealthState {
    private final int unhealthyThreshold;
    private final int healthyThreshold;
    private boolean healthy = true;
    private boolean checked;
    private int failures;
    private int passes;
    private Instant since;
    private String lastFailure = "";

    /**
     * @param unhealthyThreshold failed checks in a row that make a healthy instance unhealthy (N)
     * @param healthyThreshold   passed checks in a row that make an unhealthy instance healthy (M)
     * @param now                when the instance was first seen
     */
    HealthState(int unhealthyThreshold, int healthyThreshold, Instant now) {
        this.unhealthyThreshold = unhealthyThreshold;
        this.healthyThreshold = healthyThreshold;
        this.since = now;
    }

    /**
     * Record a check's result.
     *
     * @param passed  whether the check passed
     * @param failure why it failed (ignored when passed)
     * @param now     when it ended
     * @return whether the instance changed between healthy and unhealthy
     */
    boolean record(boolean passed, String failure, Instant now) {
        if (!checked) {
            checked = true;
            since = now;
        }
        if (passed) {
            failures = 0;
            passes++;
            if (!healthy && passes >= healthyThreshold) {
                healthy = true;
                since = now;
                return true;
            }
        } else {
            passes = 0;
            failures++;
            lastFailure = failure;
            if (healthy && failures >= unhealthyThreshold) {
                healthy = false;
                since = now;
                return true;
            }
        }
        return false;
    }

    boolean healthy() {
        return healthy;
    }

    InstanceHealth.Status status() {
        return new InstanceHealth.Status(!checked ? "unchecked" : healthy ? "healthy" : "unhealthy", since, failures,
                                         passes, lastFailure);
    }
}
