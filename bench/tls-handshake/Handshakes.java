/*
 * Bench-only (not shipped): CPU per TLS handshake of the JDK's own TLS (SunJSSE), server side and client side, by key
 * type, protocol and full handshake vs resumption. Both engines run in this one thread, bytes passed in memory (no
 * socket): per-thread CPU (ThreadMXBean) is charged to the side whose wrap/unwrap/delegated task ran, so another
 * process's load does not inflate the figures. Each "open" is a handshake plus one 100-byte request and response
 * (which also carries TLS 1.3's NewSessionTicket to the client); engine creation is not counted.
 *
 *   java bench/tls-handshake/Handshakes.java [N=300] [WARM=300] [keys=rsa2048,rsa3072,ec256,ed25519]
 *   java -Djdk.tls.server.enableSessionTicketExtension=false bench/tls-handshake/Handshakes.java   (stateful resumption)
 *   java -Dclient.groups=x25519 bench/tls-handshake/Handshakes.java 300 300 rsa2048   (client offers x25519 only)
 *
 * full: the client offers nothing to resume (each open names another peer port, so its session cache has no entry);
 * resume: the same peer every time, so the client offers the session it kept (TLS 1.3 PSK from a NewSessionTicket,
 * TLS 1.2 session ticket or session id). "srv bytes" = bytes the server sent per open: a full handshake carries the
 * certificate, a resumed one does not, which shows whether resumption really happened; "cli bytes" = bytes the client
 * sent (its ClientHello carries one key share per group it pre-computes).
 */
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

public class Handshakes {
    static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    static final char[] PW = "changeit".toCharArray();

    static final class Side {
        final SSLEngine engine;
        final ByteBuffer in = ByteBuffer.allocate(1 << 17); // bytes from the peer, write mode
        final ByteBuffer app = ByteBuffer.allocate(1 << 17);
        long cpuNs;
        long bytesOut;

        Side(SSLEngine engine) { this.engine = engine; }
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int warm = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        List<String> keys = List.of((args.length > 2 ? args[2] : "rsa2048,rsa3072,ec256,ed25519").split(","));
        System.out.printf("# %s %s, %d cpus; N=%d after %d warm-up per row; tickets: server %s, client %s%n",
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                Runtime.getRuntime().availableProcessors(), n, warm,
                System.getProperty("jdk.tls.server.enableSessionTicketExtension", "default"),
                System.getProperty("jdk.tls.client.enableSessionTicketExtension", "default"));
        System.out.printf("# per open, microseconds of thread CPU: median and mean; clock read overhead %.2f us per step%n",
                clockOverheadNs() / 1000.0);
        System.out.printf("%-8s %-7s %-6s | %9s %9s | %9s %9s | %9s %9s | %s%n", "key", "proto", "mode",
                "srv med", "srv mean", "cli med", "cli mean", "srv bytes", "cli bytes", "suite");
        Path dir = Files.createTempDirectory("handshakes");
        for (String key : keys) {
            SSLContext[] ctx;
            try {
                ctx = contexts(dir, key);
            } catch (Exception e) {
                System.out.printf("%-8s key store not made: %s%n", key, e.getMessage());
                continue;
            }
            for (String proto : List.of("TLSv1.3", "TLSv1.2")) {
                for (String mode : List.of("full", "resume")) {
                    try {
                        row(ctx[0], ctx[1], key, proto, mode, n, warm);
                    } catch (Exception e) {
                        System.out.printf("%-8s %-7s %-6s | not negotiated: %s%n", key, proto, mode, e);
                    }
                }
            }
        }
    }

    static int port = 10_000;

    static void row(SSLContext server, SSLContext client, String key, String proto, String mode, int n, int warm)
            throws Exception {
        long[] srv = new long[n], cli = new long[n];
        long bytes = 0, cliBytes = 0;
        String suite = "";
        for (int i = -warm; i < n; i++) {
            int peerPort = mode.equals("full") ? ++port : 443;
            Side s = new Side(engine(server, null, 0, false, proto));
            Side c = new Side(engine(client, "127.0.0.1", peerPort, true, proto));
            open(c, s);
            if (i >= 0) {
                srv[i] = s.cpuNs;
                cli[i] = c.cpuNs;
                bytes += s.bytesOut;
                cliBytes += c.bytesOut;
                suite = s.engine.getSession().getProtocol() + " " + s.engine.getSession().getCipherSuite();
            }
        }
        System.out.printf("%-8s %-7s %-6s | %9.0f %9.0f | %9.0f %9.0f | %9d %9d | %s%n", key, proto, mode,
                median(srv) / 1000.0, mean(srv) / 1000.0, median(cli) / 1000.0, mean(cli) / 1000.0, bytes / n,
                cliBytes / n, suite);
    }

    static SSLEngine engine(SSLContext ctx, String host, int port, boolean client, String proto) {
        SSLEngine e = client ? ctx.createSSLEngine(host, port) : ctx.createSSLEngine();
        e.setUseClientMode(client);
        SSLParameters p = e.getSSLParameters();
        p.setProtocols(new String[] {proto});
        if (client) {
            p.setEndpointIdentificationAlgorithm("HTTPS"); // the client verifies the certificate and the host name
            String groups = System.getProperty("client.groups"); // the client's named groups only, e.g. x25519
            if (groups != null) {
                p.setNamedGroups(groups.split(","));
            }
        }
        e.setSSLParameters(p);
        return e;
    }

    /** Handshake, then a 100-byte request and a 100-byte response. */
    static void open(Side c, Side s) throws Exception {
        c.engine.beginHandshake();
        s.engine.beginHandshake();
        for (int guard = 0; ; guard++) {
            boolean progress = step(c, s) | step(s, c);
            if (done(c) && done(s) && c.in.position() == 0 && s.in.position() == 0) {
                break;
            }
            if (!progress || guard > 1000) {
                throw new IllegalStateException("handshake stuck: client " + c.engine.getHandshakeStatus()
                        + ", server " + s.engine.getHandshakeStatus());
            }
        }
        send(c, s, 100);
        send(s, c, 100);
    }

    static boolean done(Side x) {
        HandshakeStatus h = x.engine.getHandshakeStatus();
        return h == HandshakeStatus.NOT_HANDSHAKING || h == HandshakeStatus.FINISHED;
    }

    /** One handshake step of {@code x}: its output goes into {@code peer.in}. */
    static boolean step(Side x, Side peer) throws Exception {
        long t0 = CPU.getCurrentThreadCpuTime();
        boolean progress = false;
        switch (x.engine.getHandshakeStatus()) {
            case NEED_TASK -> {
                Runnable r;
                while ((r = x.engine.getDelegatedTask()) != null) {
                    r.run();
                }
                progress = true;
            }
            case NEED_WRAP -> {
                SSLEngineResult r = x.engine.wrap(ByteBuffer.allocate(0), peer.in);
                x.bytesOut += r.bytesProduced();
                progress = r.bytesProduced() > 0 || r.getHandshakeStatus() != HandshakeStatus.NEED_WRAP;
            }
            default -> progress = unwrap(x);
        }
        x.cpuNs += CPU.getCurrentThreadCpuTime() - t0;
        return progress;
    }

    static boolean unwrap(Side x) throws Exception {
        if (x.in.position() == 0) {
            return false;
        }
        x.in.flip();
        SSLEngineResult r = x.engine.unwrap(x.in, x.app);
        x.in.compact();
        return r.bytesConsumed() > 0;
    }

    static void send(Side from, Side to, int size) throws Exception {
        long t0 = CPU.getCurrentThreadCpuTime();
        SSLEngineResult r = from.engine.wrap(ByteBuffer.allocate(size), to.in);
        from.bytesOut += r.bytesProduced();
        long t1 = CPU.getCurrentThreadCpuTime();
        from.cpuNs += t1 - t0;
        to.app.clear();
        while (to.app.position() < size) { // the receiver also reads post-handshake messages (NewSessionTicket)
            if (!unwrap(to)) {
                throw new IllegalStateException("no application data");
            }
            while (to.engine.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                to.engine.getDelegatedTask().run();
            }
        }
        to.cpuNs += CPU.getCurrentThreadCpuTime() - t1;
    }

    /** [server context, client context trusting only this certificate]. */
    static SSLContext[] contexts(Path dir, String key) throws Exception {
        Path p12 = dir.resolve(key + ".p12");
        List<String> alg = switch (key) {
            case "rsa2048" -> List.of("-keyalg", "RSA", "-keysize", "2048");
            case "rsa3072" -> List.of("-keyalg", "RSA", "-keysize", "3072");
            case "ec256" -> List.of("-keyalg", "EC", "-groupname", "secp256r1");
            case "ed25519" -> List.of("-keyalg", "Ed25519");
            default -> throw new IllegalArgumentException("unknown key " + key);
        };
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-noprompt", "-alias", "1", "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1",
                "-validity", "7", "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", "changeit"));
        cmd.addAll(alg);
        Process pr = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes());
        if (pr.waitFor() != 0) {
            throw new IllegalStateException("keytool: " + out.strip());
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) {
            ks.load(in, PW);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PW);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        Certificate cert = ks.getCertificate("1");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("lab", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        return new SSLContext[] {server, client};
    }

    static long clockOverheadNs() {
        long t0 = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < 10_000; i++) {
            CPU.getCurrentThreadCpuTime();
        }
        return (CPU.getCurrentThreadCpuTime() - t0) / 10_000;
    }

    static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static double mean(long[] v) {
        return Arrays.stream(v).average().orElse(0);
    }
}
