package io.stratal.logs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy between the appender and PostgreSQL that a test can cut and restore, or cut at the exact
 * moment a transaction has committed on the server but before the client hears of it. A cut can be aimed at
 * the connections of one pool: the proxy reads the {@code application_name} each connection starts with (it
 * answers a request for TLS itself, with no, so that the protocol it reads stays plain).
 */
public final class TcpProxy implements AutoCloseable {

    private static final Pattern HOST_PORT = Pattern.compile("jdbc:postgresql://([^/:?]+)(?::(\\d+))?(/.*)?");
    private static final byte[] COMMIT_TAG = "COMMIT\0".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern APPLICATION_NAME = Pattern.compile("application_name(?:\0| = ')([^\0']*)");

    /** A client's connection and the one to the server that it is piped to. */
    private static final class Pair {
        final Socket client;
        final Socket upstream;
        /** The {@code application_name} of the startup message, once it went past. */
        volatile String application;

        Pair(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }
    }

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final List<Pair> pairs = new CopyOnWriteArrayList<>();
    /** Connections whose application name ends with this are closed, and refused once they say it; null for none. */
    private volatile String cutApplication;
    private volatile boolean cut;
    private volatile boolean stalled;
    private volatile boolean cutAtCommit;
    private volatile CountDownLatch commitCut = new CountDownLatch(1);
    private volatile long clientBytesPerSecond;

    private TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy in front of the server of {@code jdbcUrl}. */
    public static TcpProxy inFrontOf(String jdbcUrl) {
        Matcher m = HOST_PORT.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("cannot read host and port of " + jdbcUrl);
        }
        try {
            return new TcpProxy(m.group(1), m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code jdbcUrl} with its host and port replaced by this proxy's. */
    public String url(String jdbcUrl) {
        Matcher m = HOST_PORT.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException(jdbcUrl);
        }
        return "jdbc:postgresql://127.0.0.1:" + server.getLocalPort() + (m.group(3) == null ? "" : m.group(3));
    }

    /** Slows what the client sends to {@code bytesPerSecond} (0: no limit): a database that writes slowly. */
    public void throttle(long bytesPerSecond) {
        clientBytesPerSecond = bytesPerSecond;
    }

    /** Closes every connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        cut = true;
        closeAll();
    }

    public void restore() {
        cut = false;
        cutApplication = null;
    }

    /**
     * Closes the connections whose {@code application_name} ends with {@code applicationSuffix} (one pool's,
     * as the appender names them after the writer) and refuses their new ones until {@link #restore()}; the
     * others go on.
     */
    public void cutApplication(String applicationSuffix) {
        cutApplication = applicationSuffix;
        for (Pair pair : pairs) {
            String application = pair.application;
            if (application != null && application.endsWith(applicationSuffix)) {
                close(pair);
            }
        }
    }

    /**
     * Stops passing bytes either way, without closing anything: a database that stops answering (a
     * black-holed network, a hung server). Calls block until {@link #resume()} or the driver's timeout.
     */
    public void stall() {
        stalled = true;
    }

    public void resume() {
        stalled = false;
    }

    /**
     * The next time the server confirms a {@code COMMIT}, swallows the confirmation and closes the
     * connection: the transaction is committed, and the client only sees its connection die.
     */
    public CountDownLatch cutAtNextCommit() {
        commitCut = new CountDownLatch(1);
        cutAtCommit = true;
        return commitCut;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (cut) {
                    client.close();
                    continue;
                }
                Socket upstream = new Socket(targetHost, targetPort);
                Pair pair = new Pair(client, upstream);
                pairs.add(pair);
                pump(client, upstream, false, pair);
                pump(upstream, client, true, pair);
            } catch (IOException e) {
                // closed, or the target refused: the client sees its connection fail
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromServer, Pair pair) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (!fromServer && isEncryptionRequest(buffer, n)) {
                        // answered here, "not supported": the startup that follows, and its application_name, is plain
                        from.getOutputStream().write('N');
                        from.getOutputStream().flush();
                        continue;
                    }
                    if (!fromServer && pair.application == null) {
                        pair.application = applicationName(buffer, n);
                        String refused = cutApplication;
                        if (refused != null && pair.application != null && pair.application.endsWith(refused)) {
                            close(pair);
                            return;
                        }
                    }
                    if (fromServer && cutAtCommit && contains(buffer, n, COMMIT_TAG)) {
                        cutAtCommit = false;
                        close(from);
                        close(to);
                        commitCut.countDown();
                        return;
                    }
                    while (stalled) {
                        java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
                    }
                    long limit = clientBytesPerSecond;
                    if (!fromServer && limit > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(n * 1_000_000_000L / limit);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                close(pair);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** An SSLRequest or GSSENCRequest: length 8, then the code 1234 in the high half and 5679 or 5680 in the low. */
    private static boolean isEncryptionRequest(byte[] data, int length) {
        if (length != 8) {
            return false;
        }
        int size = ((data[0] & 0xff) << 24) | ((data[1] & 0xff) << 16) | ((data[2] & 0xff) << 8) | (data[3] & 0xff);
        int code = ((data[4] & 0xff) << 24) | ((data[5] & 0xff) << 16) | ((data[6] & 0xff) << 8) | (data[7] & 0xff);
        return size == 8 && (code == 80877103 || code == 80877104);
    }

    /**
     * The connection's {@code application_name}, from the startup message or from the {@code SET} that pgjdbc sends
     * right after it, or {@code null} when these bytes hold neither.
     */
    private static String applicationName(byte[] data, int length) {
        Matcher m = APPLICATION_NAME.matcher(new String(data, 0, length, StandardCharsets.ISO_8859_1));
        return m.find() ? m.group(1) : null;
    }

    private static int indexOf(byte[] data, int length, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static boolean contains(byte[] data, int length, byte[] pattern) {
        return indexOf(data, length, pattern) >= 0;
    }

    private void closeAll() {
        for (Pair pair : pairs) {
            close(pair);
        }
    }

    private void close(Pair pair) {
        close(pair.client);
        close(pair.upstream);
        pairs.remove(pair);
    }

    private void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        closeAll();
    }
}
