package io.stratal.logs.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, so a test can send any {@code Host} and {@code Origin} (Java's HttpClient
 * refuses to set {@code Host}) and see a refused WebSocket upgrade's answer.
 */
public final class RawHttp {

    /** Status, headers (lower-case names) and body of one answer. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    /** {@code GET target} with the given headers (a {@code null} Host sends none); reads until the body is complete or 3 s pass. */
    public static Answer get(int port, String target, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Connection", "close");
        return exchange(port, "GET", target, all);
    }

    /** {@code HEAD target}: the status and headers, no body. */
    public static Answer head(int port, String target, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Connection", "close");
        return exchange(port, "HEAD", target, all);
    }

    /** A WebSocket upgrade of {@code target} with {@code Host} and, unless {@code null}, {@code Origin}. */
    public static Answer upgrade(int port, String target, String host, String origin) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", host);
        headers.put("Upgrade", "websocket");
        headers.put("Connection", "Upgrade");
        headers.put("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        headers.put("Sec-WebSocket-Version", "13");
        if (origin != null) {
            headers.put("Origin", origin);
        }
        return exchange(port, "GET", target, headers);
    }

    private static Answer exchange(int port, String method, String target, Map<String, String> headers) {
        StringBuilder request = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("\r\n");
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(3000);
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            return read(socket.getInputStream(), method.equals("HEAD"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Answer read(InputStream in, boolean headersOnly) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        String[] lines = head.toString().split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String length = headers.get("content-length");
        if (status == 101 || headersOnly) {
            return new Answer(status, headers, ""); // the frames that follow are the stream's
        }
        try {
            if (length != null) {
                byte[] bytes = in.readNBytes(Integer.parseInt(length));
                body.write(bytes);
            } else {
                in.transferTo(body);
            }
        } catch (SocketTimeoutException e) {
            // a stream that stays open: what arrived is the answer
        }
        return new Answer(status, headers, body.toString(StandardCharsets.UTF_8));
    }
}
