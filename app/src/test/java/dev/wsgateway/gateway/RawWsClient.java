package dev.wsgateway.gateway;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client on a plain socket that writes frames byte by byte as the test says: split UTF-8 characters,
 * oversize frames, protocol violations, pings, and abrupt drops that no library would produce.
 */
final class RawWsClient implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * @param rsv the frame's RSV1-3 bits as they were on the wire ({@code 0x40} RSV1, {@code 0x20} RSV2, {@code 0x10} RSV3)
     */
    record Frame(boolean fin, int opcode, byte[] payload, int rsv) {
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }

        String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final int status;
    private final Map<String, String> responseHeaders;

    private RawWsClient(Socket socket, DataInputStream in, int status, Map<String, String> headers) throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.status = status;
        this.responseHeaders = headers;
    }

    static RawWsClient connect(int port, String path) throws IOException {
        return connect(port, path, "");
    }

    /**
     * @param extraHeaders more request header lines, each ending with CRLF
     */
    static RawWsClient connect(int port, String path, String extraHeaders) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + extraHeaders
                + "\r\n";
        return handshake(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Send a valid upgrade request and return without reading the answer.
     */
    static RawWsClient handshakeOnly(int port, String path) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                                               .getBytes(StandardCharsets.ISO_8859_1));
        return new RawWsClient(socket, new DataInputStream(socket.getInputStream()), 0, Map.of());
    }

    /**
     * Send any bytes as the request and read the HTTP response head.
     */
    static RawWsClient handshake(int port, byte[] request) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        String statusLine = readLine(in);
        int status = statusLine.length() >= 12 ? Integer.parseInt(statusLine.substring(9, 12)) : -1;
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return new RawWsClient(socket, in, status, headers);
    }

    private static String readLine(DataInputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b == -1) {
                throw new EOFException("connection closed in the HTTP response head");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    int status() {
        return status;
    }

    Map<String, String> headers() {
        return responseHeaders;
    }

    /**
     * The response body after a refused handshake (uses Content-Length).
     */
    String body() throws IOException {
        int length = Integer.parseInt(responseHeaders.getOrDefault("content-length", "0"));
        byte[] body = new byte[length];
        in.readFully(body);
        return new String(body, StandardCharsets.UTF_8);
    }

    void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /**
     * Send one frame, masked as a client must (unless {@code mask} is false, to break the protocol on purpose).
     */
    void send(boolean fin, int opcode, byte[] payload, boolean mask) throws IOException {
        out.write(encode(fin, opcode, payload, mask));
        out.flush();
    }

    void send(boolean fin, int opcode, byte[] payload) throws IOException {
        send(fin, opcode, payload, true);
    }

    /**
     * Write bytes as they are (a frame built by the test, e.g. with reserved bits set).
     */
    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void sendText(String text) throws IOException {
        send(true, 0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    void sendClose(int code, String reason) throws IOException {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + r.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(r, 0, payload, 2, r.length);
        send(true, 0x8, payload);
        closeSent = true;
    }

    static byte[] encode(boolean fin, int opcode, byte[] payload, boolean mask) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | opcode);
        int maskBit = mask ? 0x80 : 0;
        if (payload.length < 126) {
            frame.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            frame.write(maskBit | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length);
        } else {
            frame.write(maskBit | 127);
            long len = payload.length;
            for (int i = 7; i >= 0; i--) {
                frame.write((int) (len >> (8 * i)));
            }
        }
        if (mask) {
            byte[] key = new byte[4];
            RANDOM.nextBytes(key);
            frame.writeBytes(key);
            byte[] masked = new byte[payload.length];
            for (int i = 0; i < payload.length; i++) {
                masked[i] = (byte) (payload[i] ^ key[i & 3]);
            }
            frame.writeBytes(masked);
        } else {
            frame.writeBytes(payload);
        }
        return frame.toByteArray();
    }

    /**
     * Read the next frame, answering pings from the gateway itself as a real client would (unless told not to). As
     * real clients (browsers, Node {@code ws}) do, nothing is sent after this client's close frame: a pong sent then
     * could still be unread when the gateway closes the connection after the close handshake, and the unread bytes
     * would turn its FIN into a reset that discards what this client had not read yet.
     */
    Frame read() throws IOException {
        while (true) {
            Frame f = readFrame();
            if (answerGatewayPings && f.opcode() == 0x9 && f.payload().length == 10 && f.payload()[0] == 'g') {
                gatewayPings++;
                if (!closeSent) {
                    send(true, 0xA, f.payload());
                }
                continue;
            }
            return f;
        }
    }

    private boolean closeSent;
    private boolean answerGatewayPings = true;
    private long gatewayPings;

    /**
     * How many of the gateway's own pings {@link #read()} answered.
     */
    long gatewayPings() {
        return gatewayPings;
    }

    void answerGatewayPings(boolean answer) {
        this.answerGatewayPings = answer;
    }

    private Frame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = payloadLength(in, b1);
        if (len < 0 || len > 64 * 1024 * 1024) {
            throw new IOException("implausible frame length " + len + " (b0 " + Integer.toHexString(b0) + ")");
        }
        byte[] key = null;
        if ((b1 & 0x80) != 0) {
            key = new byte[4];
            in.readFully(key);
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        if (key != null) {
            unmask(payload, key);
        }
        return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload, b0 & 0x70);
    }

    /**
     * The payload length of a frame whose second byte is {@code b1}, reading the extended length that follows it if
     * there is one (RFC 6455 section 5.2); negative if a 64-bit length has its top bit set.
     */
    static long payloadLength(DataInputStream in, int b1) throws IOException {
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        return len;
    }

    /**
     * Unmask a payload in place with its masking key.
     */
    static void unmask(byte[] payload, byte[] key) {
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= key[i & 3];
        }
    }

    /**
     * Read frames until one with the opcode arrives.
     */
    Frame readUntil(int opcode) throws IOException {
        while (true) {
            Frame f = read();
            if (f.opcode() == opcode) {
                return f;
            }
        }
    }

    /**
     * Whether the server closed the TCP connection (reads to EOF, discarding frames).
     */
    boolean awaitEof() {
        try {
            while (in.read() != -1) {
                // discard
            }
            return true;
        } catch (IOException e) {
            return true;
        }
    }

    Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
