/*
 * Bench-only (not shipped): CPU of a running gateway (or any WebSocket proxy) per session open, from
 * /proc/<pid>/stat (utime+stime of the whole process) before and after N sequential opens by this JDK client. Each
 * open: TCP connect, TLS handshake (wss), the HTTP upgrade, the 101, a close frame, the close reply, socket closed,
 * so the proxy's upstream open and close are counted too. The client skips certificate checks (a lab certificate).
 *
 *   java bench/tls-handshake/GatewayOpens.java URL PID [N=500] [full|resume] [TLSv1.3|TLSv1.2] [WARM=200]
 *   e.g. java bench/tls-handshake/GatewayOpens.java wss://127.0.0.1:9204/ws/v1/echo/bench 12345 500 full
 *
 * full: every open is a full handshake (a new client SSLContext each time, so its session cache offers nothing);
 * resume: one client context for all opens, so the client offers the session it kept (TLS 1.3 PSK from a
 * NewSessionTicket, TLS 1.2 ticket or session id) and the figure shows what the server side saves when clients
 * resume. "reused" counts the opens whose session is older than the open (a resumed one).
 */
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

public class GatewayOpens {
    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        long pid = Long.parseLong(args[1]);
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        boolean resume = args.length > 3 && args[3].equals("resume");
        String proto = args.length > 4 ? args[4] : "TLSv1.3";
        int warm = args.length > 5 ? Integer.parseInt(args[5]) : 1000;
        boolean tls = url.getScheme().equals("wss");
        SSLContext shared = context();
        long hz = 100; // USER_HZ: utime and stime are in clock ticks
        for (int i = 0; i < warm; i++) {
            open(url, tls, resume ? shared : context(), proto);
        }
        long reused = 0;
        long c0 = cpuTicks(pid);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            reused += open(url, tls, resume ? shared : context(), proto) ? 1 : 0;
        }
        long wallNs = System.nanoTime() - t0;
        long c1 = cpuTicks(pid);
        double usPerOpen = (c1 - c0) * 1e6 / hz / n;
        System.out.printf("%s %s %s N=%d: proxy CPU %.0f us per open (%d ticks), %.0f opens/s sequential, "
                        + "session reused by the client %d/%d%n", url, tls ? proto : "plain", resume ? "resume" : "full",
                n, usPerOpen, c1 - c0, n / (wallNs / 1e9), reused, n);
    }

    /** One open; true when the TLS session was one the client offered again (same creation time as before). */
    static SSLContext context() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new TrustAll()}, null);
        return ctx;
    }

    static boolean open(URI url, boolean tls, SSLContext ctx, String proto) throws Exception {
        Socket plain = new Socket();
        plain.setTcpNoDelay(true);
        plain.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5000);
        plain.setSoTimeout(10_000);
        Socket s = plain;
        boolean reused = false;
        if (tls) {
            SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(plain, url.getHost(), url.getPort(), true);
            SSLParameters p = ssl.getSSLParameters();
            p.setProtocols(new String[] {proto});
            ssl.setSSLParameters(p);
            long before = System.currentTimeMillis();
            ssl.startHandshake();
            reused = ssl.getSession().getCreationTime() < before;
            s = ssl;
        }
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        out.write(("GET " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IllegalStateException("no 101: " + head.lines().findFirst().orElse(""));
        }
        // masked close frame, code 1000, then wait for the close reply (or EOF)
        out.write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xE8});
        out.flush();
        while (in.read() >= 0) {
            // drain until the proxy closes
        }
        s.close();
        return reused;
    }

    static String readHead(InputStream in) throws Exception {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            b.append((char) c);
            if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return b.toString();
    }

    static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
    }

    static final class TrustAll implements X509TrustManager {
        public void checkClientTrusted(X509Certificate[] c, String a) {
        }

        public void checkServerTrusted(X509Certificate[] c, String a) {
        }

        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
