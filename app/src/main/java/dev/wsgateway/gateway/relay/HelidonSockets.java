package dev.wsgateway.gateway.relay;

import java.lang.reflect.Field;
import java.net.Socket;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PlainSocket;

/**
 * Reaches under a connection Helidon's server accepted. After the upgrade the gateway reads and writes the JDK socket
 * under Helidon's {@link PlainSocket} (an {@code SSLSocket} for TLS) itself: into buffers it owns instead of a fresh
 * array per read, and with a half-close, which Helidon's socket lacks. Helidon's own 8 KiB read buffer is then never
 * used again, so it is swapped for a one-byte array: an idle session does not keep it.
 * <p>
 * Both fields are Helidon 4.2.0's private fields, read by reflection; when either cannot be reached (another Helidon
 * version), {@link #takeOver} answers {@code null} and the leg reads through Helidon's socket as before.
 */
final class HelidonSockets {
    private static final Field DELEGATE = field("delegate");
    private static final Field READ_BUFFER = field("readBuffer");

    private HelidonSockets() {
    }

    /**
     * The JDK socket under {@code socket}, taken over by the caller (Helidon's read buffer is let go).
     *
     * @param socket a connection of Helidon's server
     * @return the socket, or {@code null} when it cannot be reached
     */
    static Socket takeOver(HelidonSocket socket) {
        if (DELEGATE == null || !(socket instanceof PlainSocket)) {
            return null;
        }
        try {
            Socket raw = (Socket) DELEGATE.get(socket);
            if (READ_BUFFER != null) {
                READ_BUFFER.set(socket, new byte[1]);
            }
            return raw;
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
    }

    private static Field field(String name) {
        try {
            Field field = PlainSocket.class.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
