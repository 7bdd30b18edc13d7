package dev.wsgateway.gateway;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A WebSocket service on plain sockets that writes and checks frames byte by byte, for what no library sends or
 * checks: long streams of large frames with a known pattern, reserved bits, invalid close reasons. Each connection
 * is recorded as a {@link Conn} the test can look at. What a connection does is chosen by its path (after the
 * route's service URL):
 * <ul>
 *     <li>{@code .../stream/SIZE}: sends binary frames of SIZE bytes, each filled with {@link #pattern}, until the
 *     connection ends; answers pings with pongs</li>
 *     <li>{@code .../sink}: sends nothing; reads every frame, checks data frames against {@link #pattern}, answers
 *     pings</li>
 *     <li>{@code .../send-hex/HEX}: writes the bytes HEX once (a frame built by the test), then reads like a sink</li>
 *     <li>{@code .../script/ID}: writes the bytes registered with {@link #script} under ID once, then reads like a
 *     sink</li>
 *     <li>{@code .../stall}: neither reads nor writes (a service that stopped reading) until the test closes it</li>
 * </ul>
 * A 101 may announce {@code permessage-deflate} when the path contains {@code /deflate/} (the service never
 * compresses; it only sets the bits the test asks for).
 */
final class RawWsService implements AutoCloseable {
    private final ServerSocket server;
    private final List<Conn> conns = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, Conn> byPath = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, byte[]> scripts = new ConcurrentHashMap<>();
    private final Thread acceptor;

    private RawWsService() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().start(this::accept);
    }

    static RawWsService start() throws IOException {
        return new RawWsService();
    }

    int port() {
        return server.getLocalPort();
    }

    /**
     * Byte {@code j} of data frame {@code k} (counted from 0 per connection and direction).
     */
    static byte pattern(long k, int j) {
        return (byte) (k * 7 + j * 13 + (j >>> 8));
    }

    static byte[] patternFrame(long k, int size) {
        byte[] payload = new byte[size];
        for (int j = 0; j < size; j++) {
            payload[j] = pattern(k, j);
        }
        return payload;
    }

    /**
     * The connection whose request path ends with {@code suffix}, once it arrived.
     */
    Conn await(String suffix) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (Conn c : conns) {
                if (c.path.endsWith(suffix)) {
                    return c;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
        throw new AssertionError("no connection for " + suffix);
    }

    /**
     * Bytes a connection to {@code .../script/ID} writes once (then forgotten).
     */
    void script(String id, byte[] bytes) {
        scripts.put(id, bytes);
    }

    /**
     * The connection whose request path is exactly {@code path}, once it arrived; the service forgets it then.
     * Connections whose path contains {@code /fuzz/} are only found here (a fuzz run opens thousands).
     */
    Conn takePath(String path) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            Conn c = byPath.remove(path);
            if (c != null) {
                return c;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        throw new AssertionError("no connection for " + path);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        Conn conn = null;
        try (socket) {
            socket.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 65536));
            String requestLine = readLine(in);
            String key = null;
            String line;
            while (!(line = readLine(in)).isEmpty()) {
                int colon = line.indexOf(':');
                if (line.substring(0, colon).trim().equalsIgnoreCase("sec-websocket-key")) {
                    key = line.substring(colon + 1).trim();
                }
            }
            String path = requestLine.split(" ")[1];
            conn = new Conn(path, socket, in);
            if (!path.contains("/fuzz/")) {
                conns.add(conn);
            }
            byPath.put(path, conn);
            String extensions = path.contains("/deflate/") ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "";
            conn.writeRaw(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(key) + "\r\n" + extensions + "\r\n")
                                  .getBytes(StandardCharsets.ISO_8859_1));
            int stream = path.indexOf("/stream/");
            int hex = path.indexOf("/send-hex/");
            int script = path.indexOf("/script/");
            if (stream >= 0) {
                int size = Integer.parseInt(path.substring(stream + "/stream/".length()));
                Conn c = conn;
                Thread.ofVirtual().start(() -> c.stream(size));
            } else if (hex >= 0) {
                conn.writeRaw(java.util.HexFormat.of().parseHex(path.substring(hex + "/send-hex/".length())
                                                                          .toLowerCase(Locale.ROOT)));
            } else if (path.contains("/stall")) {
                while (!socket.isClosed()) {
                    Thread.sleep(50);
                }
                return;
            } else if (script >= 0) {
                byte[] bytes = scripts.remove(path.substring(script + "/script/".length()));
                if (bytes != null) {
                    conn.writeRaw(bytes);
                }
            }
            conn.readAll();
        } catch (IOException | RuntimeException | InterruptedException e) {
            // ends below
        } finally {
            if (conn != null) {
                conn.ended.set(true);
            }
        }
    }

    private static String accept(String key) throws IOException {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(
                    sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }

    private static String readLine(DataInputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b == -1) {
                throw new EOFException();
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Conn c : conns) {
            c.socket.close();
        }
    }

    /**
     * One connection from the gateway, with what the service saw on it.
     */
    static final class Conn {
        private final String path;
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        private final Object writeLock = new Object();
        private final AtomicBoolean ended = new AtomicBoolean();
        private final ConcurrentHashMap<String, String> problems = new ConcurrentHashMap<>();
        private volatile long framesSent;
        private volatile long framesChecked;
        private volatile long pingsSeen;
        private volatile int closeCode = -1;
        private final java.util.zip.CRC32 dataCrc = new java.util.zip.CRC32();
        private volatile long dataFrames;

        private Conn(String path, Socket socket, DataInputStream in) throws IOException {
            this.path = path;
            this.socket = socket;
            this.in = in;
            this.out = socket.getOutputStream();
        }

        long framesSent() {
            return framesSent;
        }

        /** Data frames received that matched the pattern. */
        long framesChecked() {
            return framesChecked;
        }

        /** Data frames (text, binary, continuation) received, whatever their content. */
        long dataFrames() {
            return dataFrames;
        }

        /** CRC-32 over opcode and payload of every data frame received, in order. */
        long dataCrc() {
            synchronized (dataCrc) {
                return dataCrc.getValue();
            }
        }

        long pingsSeen() {
            return pingsSeen;
        }

        /** The close code received, {@code 1005} for an empty close, {@code -1} if none. */
        int closeCode() {
            return closeCode;
        }

        boolean ended() {
            return ended.get();
        }

        /** What was wrong with received frames (empty when every byte was as expected). */
        java.util.Map<String, String> problems() {
            return problems;
        }

        void closeSocket() throws IOException {
            socket.close();
        }

        /** Close the socket between two frames this service writes, never in the middle of one. */
        void closeBetweenFrames() throws IOException {
            synchronized (writeLock) {
                socket.close();
            }
        }

        private void writeRaw(byte[] bytes) throws IOException {
            synchronized (writeLock) {
                out.write(bytes);
                out.flush();
            }
        }

        private void stream(int size) {
            try {
                for (long k = 0; !ended.get(); k++) {
                    writeRaw(RawWsClient.encode(true, 0x2, patternFrame(k, size), false));
                    framesSent = k + 1;
                }
            } catch (IOException e) {
                ended.set(true);
            }
        }

        private void readAll() throws IOException {
            long k = 0;
            while (true) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                long len = RawWsClient.payloadLength(in, b1);
                if ((b1 & 0x80) == 0) {
                    problems.put("unmasked", "frame " + k + " from the gateway is not masked");
                }
                if (len > 16 * 1024 * 1024 || len < 0) {
                    problems.put("length", "frame " + k + " claims " + len + " bytes");
                    return;
                }
                byte[] key = new byte[4];
                in.readFully(key);
                byte[] payload = new byte[(int) len];
                in.readFully(payload);
                RawWsClient.unmask(payload, key);
                int opcode = b0 & 0x0F;
                if (opcode <= 0x2) {
                    synchronized (dataCrc) {
                        dataCrc.update(opcode);
                        dataCrc.update(payload);
                    }
                    dataFrames++;
                }
                if (opcode == 0x9) {
                    pingsSeen++;
                    writeRaw(RawWsClient.encode(true, 0xA, payload, false));
                } else if (opcode == 0x8) {
                    closeCode = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                    ended.set(true);
                    writeRaw(RawWsClient.encode(true, 0x8, java.util.Arrays.copyOf(payload, Math.min(2,
                                                                                                   payload.length)),
                                                false));
                    return;
                } else if (opcode == 0x2) {
                    for (int j = 0; j < payload.length; j++) {
                        if (payload[j] != pattern(k, j)) {
                            problems.putIfAbsent("pattern", "frame " + k + " differs at byte " + j + " of "
                                    + payload.length);
                            break;
                        }
                    }
                    k++;
                    framesChecked = k;
                } else if (opcode != 0xA) {
                    problems.putIfAbsent("opcode", "frame " + k + " has opcode " + opcode + " (b0 "
                            + Integer.toHexString(b0) + ")");
                }
            }
        }
    }
}
