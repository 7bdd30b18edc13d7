package dev.wsgateway.gateway.relay;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link PumpEvents} that records what a pump reported, as readable lines.
 */
final class RecordingEvents implements PumpEvents {
    final List<String> events = new ArrayList<>();
    int dataRelayed;
    boolean failover;

    @Override
    public void dataRelayed(long readNanos) {
        dataRelayed++;
    }

    @Override
    public void closeReceived(Leg from, CloseReason reason) {
        events.add("close from " + from.name() + ": " + reason);
    }

    @Override
    public void protocolError(Leg offender, int code, String what) {
        events.add("protocol error from " + offender.name() + ": " + code + " " + what);
    }

    @Override
    public void tooBig(Leg offender, long limit) {
        events.add("too big from " + offender.name() + ": " + limit);
    }

    @Override
    public void tooManyFragments(Leg offender, int limit) {
        events.add("too many fragments from " + offender.name() + ": " + limit);
    }

    @Override
    public boolean failoverOnClose(int code) {
        return failover && (code == 1001 || code == 1012);
    }
}
