package dev.wsgateway.gateway.relay;

/**
 * A close code and reason, as received or as the gateway decided.
 *
 * @param code   close code ({@code 1005} when a close frame had no code)
 * @param reason reason text, may be empty
 */
public record CloseReason(int code, String reason) {
    static final int NORMAL = 1000;
    static final int GOING_AWAY = 1001;
    static final int PROTOCOL_ERROR = 1002;
    static final int NO_STATUS = 1005;
    static final int INVALID_DATA = 1007;
    static final int TOO_BIG = 1009;
    static final int INTERNAL_ERROR = 1011;
    static final int SERVICE_RESTART = 1012;
    static final int TRY_AGAIN_LATER = 1013;

    @Override
    public String toString() {
        return reason.isEmpty() ? String.valueOf(code) : code + " " + reason;
    }
}
