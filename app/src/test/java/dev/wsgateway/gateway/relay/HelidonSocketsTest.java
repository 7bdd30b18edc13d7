package dev.wsgateway.gateway.relay;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import io.helidon.common.socket.PlainSocket;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;

/**
 * {@link HelidonSockets} on Helidon 4.2.0's {@link PlainSocket}: the JDK socket under it is reached, and Helidon's 8 KiB
 * read buffer is let go. A socket that is not Helidon's plain socket is left alone.
 */
class HelidonSocketsTest {
    @Test
    void theJdkSocketIsTakenOverAndHelidonsReadBufferLetGo() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            PlainSocket helidon = PlainSocket.server(accepted, "1", "1");
            assertThat(readBuffer(helidon).length, is(8 * 1024));
            assertThat(HelidonSockets.takeOver(helidon), sameInstance(accepted));
            assertThat(readBuffer(helidon).length, is(1));
            client.getOutputStream().write(42);
            assertThat("the taken-over socket reads", accepted.getInputStream().read(), is(42));
        }
    }

    @Test
    void aSocketOfAnotherKindIsNotTakenOver() {
        assertThat(HelidonSockets.takeOver(new MemorySocket()), nullValue());
    }

    private static byte[] readBuffer(PlainSocket socket) throws ReflectiveOperationException {
        Field field = PlainSocket.class.getDeclaredField("readBuffer");
        field.setAccessible(true);
        return (byte[]) field.get(socket);
    }
}
