import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Bench-only yardstick (never shipped): a minimal WebSocket reverse proxy on ONE thread and one NIO selector, to
 * measure what relaying the bench's frames costs on a plain event loop on this machine.
 *
 * <p>Usage: {@code java bench/nio-relay/NioRelay.java <listenPort> <upstreamHost:port> <upstreamPathPrefix>}.
 * A client upgrade for {@code /ws/v1/echo/REST} becomes an upstream upgrade for {@code upstreamPathPrefix + /REST}.
 *
 * <p>Handshake: the client's Sec-WebSocket-Key is passed through and the upstream's 101 is relayed unchanged (its
 * Sec-WebSocket-Accept then matches the client's key); no extension or subprotocol is offered upstream, so frames
 * carry no RSV bits. Frames: only headers are parsed (RSV, opcode, FIN, mask, 7/16/64-bit length, fragment order,
 * 4 MiB frame and message limits as in bench/conf/gateway.yaml); payload bytes pass untouched, client frames stay
 * masked. A violation or an I/O error closes both sockets; a close frame is passed through like any frame; when a
 * side ends (EOF), what it sent is written out and both sockets are closed.
 *
 * <p>Buffers: one shared direct read buffer (one thread). What a destination does not take at once goes to a
 * pending buffer (from a pool, returned when written); while it is pending the source is not read (backpressure)
 * and the destination waits for OP_WRITE. An idle session holds no buffer; the steady state allocates nothing.
 */
public final class NioRelay {
    static final int BUF = 64 * 1024;               // the read buffer and each pending buffer
    static final int HEAD_MAX = 8 * 1024;           // bound of an HTTP upgrade request or response head
    static final long MAX_FRAME = 4 << 20, MAX_MESSAGE = 4 << 20;
    static final String PATH = "/ws/v1/echo";
    static final int REQUEST = 0, CONNECTING = 1, RESPONSE = 2, OPEN = 3;
    static final Pattern KEY = Pattern.compile("[A-Za-z0-9+/]{22}==");        // 16 bytes in base64
    static final Pattern TARGET = Pattern.compile(Pattern.quote(PATH) + "/[!-~]*");  // printable, no space

    final Selector selector = Selector.open();
    final ServerSocketChannel server = ServerSocketChannel.open();
    final InetSocketAddress upstream;
    final String upstreamHost, upstreamPrefix;
    final ByteBuffer readBuf = ByteBuffer.allocateDirect(BUF);
    final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();
    final Consumer<SelectionKey> handler = this::handle;  // one instance: select(handler) allocates nothing
    long sessions, stalls, messages, violations;          // loop thread only; printed at exit

    /** One direction of a session: its frame-header parser and what its destination has not taken yet. */
    final class Dir {
        final boolean fromClient;   // client frames must be masked, upstream frames must not
        SocketChannel src, dst;
        ByteBuffer pending;         // bytes written to dst later (null: none, src may be read)
        boolean eof;                // src ended: close the session once pending is written
        long payloadLeft;           // payload bytes of the current frame still to pass
        int hdrHave, hdrNeed, lenEnd, b0;
        long len, messageLen;
        boolean inMessage;          // a fragmented data message is open

        Dir(boolean fromClient) { this.fromClient = fromClient; }

        /** Follows frame headers over b[i, to) and counts finished data messages. False on a violation. */
        boolean scan(ByteBuffer b, int i, int to) {
            while (i < to) {
                if (payloadLeft > 0) {              // payload: skipped, never read
                    int n = (int) Math.min(payloadLeft, to - i);
                    i += n;
                    payloadLeft -= n;
                    continue;
                }
                int x = b.get(i++) & 0xFF;          // a header byte (headers may be split across reads)
                if (hdrHave == 0) {
                    b0 = x;
                    hdrHave = 1;
                    continue;
                }
                if (hdrHave == 1) {
                    boolean masked = (x & 0x80) != 0, fin = (b0 & 0x80) != 0;
                    int op = b0 & 0x0F, len7 = x & 0x7F;
                    if (masked != fromClient || (b0 & 0x70) != 0) return false;
                    if (op >= 8) {                  // close, ping, pong: whole and short
                        if (op > 10 || !fin || len7 > 125) return false;
                    } else if (op == 0 ? !inMessage : op > 2 || inMessage) {
                        return false;               // unknown opcode, or fragments out of order
                    }
                    len = len7 < 126 ? len7 : 0;
                    lenEnd = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
                    hdrNeed = lenEnd + (masked ? 4 : 0);
                    hdrHave = 2;
                } else {
                    if (hdrHave < lenEnd) len = (len << 8) | x;   // extended length, big-endian
                    hdrHave++;                      // masking-key bytes are passed, not kept
                }
                if (hdrHave == hdrNeed) {           // header complete
                    int op = b0 & 0x0F;
                    if (len < 0 || len > MAX_FRAME) return false;
                    if (op < 8) {
                        messageLen = op == 0 ? messageLen + len : len;
                        if (messageLen > MAX_MESSAGE) return false;
                        inMessage = (b0 & 0x80) == 0;
                        if (!inMessage) messages++;
                    }
                    payloadLeft = len;
                    hdrHave = 0;
                }
            }
            return true;
        }
    }

    /** One proxied session: client socket, upstream socket, both directions. */
    final class Conn {
        final SocketChannel client;
        SocketChannel up;
        SelectionKey ck, uk;
        int phase = REQUEST;
        ByteBuffer head = ByteBuffer.allocate(HEAD_MAX);  // handshake only, dropped once open
        ByteBuffer request;                                // upstream upgrade request until connected
        final Dir c2u = new Dir(true), u2c = new Dir(false);
        boolean closed;

        Conn(SocketChannel client) { this.client = client; }
    }

    NioRelay(int port, String upstreamHostPort, String upstreamPrefix) throws IOException {
        int colon = upstreamHostPort.lastIndexOf(':');
        this.upstream = new InetSocketAddress(upstreamHostPort.substring(0, colon),
                Integer.parseInt(upstreamHostPort.substring(colon + 1)));
        this.upstreamHost = upstreamHostPort;
        this.upstreamPrefix = upstreamPrefix;
        server.bind(new InetSocketAddress("127.0.0.1", port), 8192);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);   // no attachment: the accept key
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: java NioRelay.java <listenPort> <upstreamHost:port> <upstreamPathPrefix>");
            System.exit(2);
        }
        NioRelay relay = new NioRelay(Integer.parseInt(args[0]), args[1], args[2]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.printf(
                "nio relay: %d sessions, %d messages, %d stalls (destination backed up), %d violations%n",
                relay.sessions, relay.messages, relay.stalls, relay.violations)));
        System.out.printf("nio relay on 127.0.0.1:%s%s/ -> %s%s/ pid %d%n", args[0], PATH, args[1], args[2],
                ProcessHandle.current().pid());
        for (;;) relay.selector.select(relay.handler);
    }

    void handle(SelectionKey k) {
        if (!k.isValid()) return;                    // cancelled earlier in this same batch
        if (!(k.attachment() instanceof Conn c)) { accept(); return; }
        try {
            int ops = k.readyOps();
            boolean isClient = k.channel() == c.client;
            if ((ops & SelectionKey.OP_CONNECT) != 0) connected(c);
            if (!c.closed && (ops & SelectionKey.OP_WRITE) != 0) flush(c, isClient ? c.u2c : c.c2u);
            if (!c.closed && (ops & SelectionKey.OP_READ) != 0) {
                if (c.phase == OPEN) pump(c, isClient ? c.c2u : c.u2c);
                else if (isClient) requestHead(c);
                else responseHead(c);
            }
        } catch (IOException | RuntimeException e) {
            close(c);
        }
    }

    void accept() {
        for (;;) {
            SocketChannel ch;
            try {
                if ((ch = server.accept()) == null) return;
            } catch (IOException e) {
                return;                              // e.g. out of file descriptors: tried again on the next wake-up
            }
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Conn c = new Conn(ch);
                c.ck = ch.register(selector, SelectionKey.OP_READ, c);
                sessions++;
            } catch (IOException e) {
                quietClose(ch);
            }
        }
    }

    /** Frames of the open session: read what the source has, follow its headers, write it on. */
    void pump(Conn c, Dir d) throws IOException {
        ByteBuffer b = readBuf;
        b.clear();
        int n = d.src.read(b);
        if (n < 0) {
            d.eof = true;
            if (d.pending == null) close(c); else interest(c);
            return;
        }
        if (n == 0) return;
        if (!d.scan(b, 0, n)) { violations++; close(c); return; }
        b.flip();
        if (send(d, b)) interest(c);
    }

    /** Writes b to d's destination; keeps what it did not take as pending. True when something is now pending. */
    boolean send(Dir d, ByteBuffer b) throws IOException {
        d.dst.write(b);
        if (!b.hasRemaining()) return false;
        ByteBuffer p = pool.poll();
        if (p == null) p = ByteBuffer.allocateDirect(BUF);
        p.clear();
        p.put(b).flip();
        d.pending = p;
        stalls++;
        return true;
    }

    /** d's destination is writable again: write what is pending; when all is gone, read the source again. */
    void flush(Conn c, Dir d) throws IOException {
        if (d.pending == null) return;
        d.dst.write(d.pending);
        if (d.pending.hasRemaining()) return;
        pool.push(d.pending);
        d.pending = null;
        if (d.eof) close(c); else interest(c);
    }

    /** Sets both keys' interest from the session's state, touching a key only when it changes. */
    void interest(Conn c) {
        int cOps = (c.phase == OPEN && c.c2u.pending == null && !c.c2u.eof ? SelectionKey.OP_READ : 0)
                | (c.u2c.pending != null ? SelectionKey.OP_WRITE : 0);
        int uOps = (c.phase >= RESPONSE && c.u2c.pending == null && !c.u2c.eof ? SelectionKey.OP_READ : 0)
                | (c.c2u.pending != null ? SelectionKey.OP_WRITE : 0);
        if (c.ck.interestOps() != cOps) c.ck.interestOps(cOps);
        if (c.uk.interestOps() != uOps) c.uk.interestOps(uOps);
    }

    /** Reads into h; returns the end of the head (after CRLFCRLF), -1 to wait for more, -2 on EOF or overflow. */
    static int readHead(SocketChannel ch, ByteBuffer h) throws IOException {
        int from = Math.max(0, h.position() - 3);
        if (ch.read(h) < 0) return -2;
        byte[] a = h.array();
        for (int i = from; i + 3 < h.position(); i++) {
            if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') return i + 4;
        }
        return h.hasRemaining() ? -1 : -2;
    }

    /** The client's upgrade request: checked, rewritten for the upstream, then the upstream is dialled. */
    void requestHead(Conn c) throws IOException {
        int end = readHead(c.client, c.head);
        if (end == -1) return;
        if (end == -2) { close(c); return; }
        String[] lines = new String(c.head.array(), 0, end - 4, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] rl = lines[0].split(" ");
        String key = null, upgrade = "", connection = "", version = "";
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) { reject(c, "400 Bad Request"); return; }
            String name = lines[i].substring(0, colon).trim(), value = lines[i].substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Sec-WebSocket-Key")) key = value;
            else if (name.equalsIgnoreCase("Upgrade")) upgrade = value;
            else if (name.equalsIgnoreCase("Connection")) connection = value;
            else if (name.equalsIgnoreCase("Sec-WebSocket-Version")) version = value;
        }
        if (rl.length != 3 || !rl[0].equals("GET") || !rl[2].equals("HTTP/1.1") || !TARGET.matcher(rl[1]).matches()) {
            reject(c, "404 Not Found");
            return;
        }
        if (key == null || !KEY.matcher(key).matches() || !upgrade.equalsIgnoreCase("websocket")
                || !connection.toLowerCase().contains("upgrade") || !version.equals("13")) {
            reject(c, "400 Bad Request");
            return;
        }
        byte[] req = ("GET " + upstreamPrefix + rl[1].substring(PATH.length()) + " HTTP/1.1\r\nHost: " + upstreamHost
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        int early = c.head.position() - end;       // frames sent before the 101: kept, checked, passed on
        c.request = ByteBuffer.allocate(req.length + early).put(req).put(c.head.array(), end, early).flip();
        if (!c.c2u.scan(c.request, req.length, c.request.limit())) { violations++; close(c); return; }
        c.head.clear();                             // reused for the upstream's response head
        c.ck.interestOps(0);                        // the client is read again once the session is open
        c.up = SocketChannel.open();
        c.c2u.src = c.u2c.dst = c.client;
        c.c2u.dst = c.u2c.src = c.up;
        c.up.configureBlocking(false);
        c.up.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.phase = CONNECTING;
        c.uk = c.up.register(selector, SelectionKey.OP_CONNECT, c);
        if (c.up.connect(upstream)) connected(c);
    }

    void reject(Conn c, String status) {            // tiny answer into an empty socket buffer, then close
        try {
            c.client.write(ByteBuffer.wrap(("HTTP/1.1 " + status + "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1)));
        } catch (IOException ignored) {
            // closing anyway
        }
        close(c);
    }

    void connected(Conn c) throws IOException {
        try {
            if (!c.up.finishConnect()) return;
        } catch (IOException e) {
            reject(c, "502 Bad Gateway");           // upstream unreachable
            return;
        }
        c.phase = RESPONSE;
        ByteBuffer req = c.request;
        c.request = null;
        send(c.c2u, req);
        interest(c);
    }

    /** The upstream's answer: a 101 is relayed unchanged and the session opens; anything else is relayed, then closed. */
    void responseHead(Conn c) throws IOException {
        int end = readHead(c.up, c.head);
        if (end == -1) return;
        if (end == -2) { close(c); return; }
        ByteBuffer h = c.head.flip();
        c.head = null;
        boolean switching = new String(h.array(), 0, Math.min(end, 12), StandardCharsets.ISO_8859_1).equals("HTTP/1.1 101");
        if (switching) {
            if (!c.u2c.scan(h, end, h.limit())) { violations++; close(c); return; }  // frames after the 101
            c.phase = OPEN;
        } else {
            c.u2c.eof = true;                        // relay the refusal, then close
        }
        send(c.u2c, h);
        if (c.u2c.eof && c.u2c.pending == null) close(c); else interest(c);
    }

    void close(Conn c) {
        if (c.closed) return;
        c.closed = true;
        quietClose(c.client);                        // closing a channel cancels its key
        if (c.up != null) quietClose(c.up);
        release(c.c2u);
        release(c.u2c);
    }

    void release(Dir d) {
        if (d.pending != null) pool.push(d.pending);
        d.pending = null;
    }

    static void quietClose(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
