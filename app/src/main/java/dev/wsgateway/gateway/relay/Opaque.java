package dev.wsgateway.gateway.relay;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters and timestamps a pump updates per frame and other threads only read for reports and timers (the watchdog,
 * the session list): written with an opaque store and read with an opaque load, which on x86 are plain moves, where a
 * volatile store adds a fence per frame. A reader sees every value in order, possibly a moment late; nothing is
 * ordered by them, so nothing may depend on them for correctness (the counts replay depends on stay volatile).
 */
final class Opaque {
    private Opaque() {
    }

    static VarHandle handle(Class<?> owner, String field) {
        try {
            return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findVarHandle(owner, field, long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
