package io.stratal.logs.server;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which browsers' requests a server takes, beyond the token. Two attacks reach a server on a developer's
 * laptop from any web page they visit:
 *
 * <ul>
 *   <li>DNS rebinding: the page's own host name is made to resolve to 127.0.0.1, so the browser treats the
 *       server as same-origin with the page. The request still carries the page's name in {@code Host}, so
 *       a server bound to loopback answers only requests whose {@code Host} is a loopback name or address
 *       (or one listed for a reverse proxy).</li>
 *   <li>Cross-site WebSocket hijacking: browsers do not apply CORS to WebSocket upgrades, so any page may
 *       open one. A browser always sends {@code Origin} with it; an upgrade is taken only when the origin is
 *       the server's own (the same host and port as {@code Host}) or listed. A client that sends no
 *       {@code Origin} is not a browser (curl, a backend service) and is taken.</li>
 * </ul>
 *
 * <p>The API's other requests get the same origin check ({@link Gate}): a foreign page could not read
 * their answers without CORS, but it could make the server work for nothing. Listed origins get CORS.
 */
final class AccessPolicy {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final boolean loopbackOnly;
    private final Set<String> allowedHosts;
    private final Set<String> allowedOrigins;

    /**
     * @param loopbackOnly   the server is bound to a loopback address: check {@code Host}
     * @param allowedHosts   host names taken besides the loopback ones (a reverse proxy's), without port
     * @param allowedOrigins origins whose WebSocket upgrades are taken besides the server's own, such as
     *                       {@code https://dashboard.example.com}
     */
    AccessPolicy(boolean loopbackOnly, Collection<String> allowedHosts, Collection<String> allowedOrigins) {
        this.loopbackOnly = loopbackOnly;
        this.allowedHosts = new HashSet<>();
        for (String host : allowedHosts) {
            this.allowedHosts.add(host.trim().toLowerCase(Locale.ROOT));
        }
        this.allowedOrigins = new HashSet<>();
        for (String origin : allowedOrigins) {
            String normalized = normalizeOrigin(origin);
            if (normalized == null) {
                throw new IllegalArgumentException("allowedOrigins: '" + origin
                        + "' is not an origin; write scheme://host[:port], e.g. https://dashboard.example.com");
            }
            this.allowedOrigins.add(normalized);
        }
    }

    /** True when the bind address is a loopback one ({@code 127.0.0.1}, {@code ::1}, {@code localhost}). */
    static boolean isLoopback(String bindAddress) {
        try {
            return InetAddress.getByName(bindAddress).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Whether a request with this {@code Host} header is answered. No header: not a browser, answered. */
    boolean acceptsHost(String hostHeader) {
        if (!loopbackOnly || hostHeader == null) {
            return true;
        }
        String name = hostName(hostHeader);
        return name != null && (isLoopbackName(name) || allowedHosts.contains(name));
    }

    /** True for an origin on the allow-list (not the server's own, which needs no listing). */
    boolean isListedOrigin(String origin) {
        String normalized = normalizeOrigin(origin);
        return normalized != null && allowedOrigins.contains(normalized);
    }

    /** Whether a request from {@code origin} (a WebSocket upgrade, an API call) is taken, for a request to {@code hostHeader}. */
    boolean acceptsOrigin(String origin, String hostHeader) {
        if (origin == null) {
            return true;
        }
        String normalized = normalizeOrigin(origin);
        if (normalized == null) {
            return false; // "null" (a sandboxed frame, a file: page) and anything unparsable
        }
        if (allowedOrigins.contains(normalized)) {
            return true;
        }
        if (hostHeader == null) {
            return false;
        }
        URI parsed = URI.create(normalized);
        String host = hostName(hostHeader);
        int port = hostPort(hostHeader, parsed.getScheme());
        return host != null && host.equals(parsed.getHost()) && port == effectivePort(parsed);
    }

    /** {@code scheme://host[:port]} in lower case with a default port left out, or {@code null}. */
    static String normalizeOrigin(String origin) {
        try {
            URI uri = new URI(origin.trim());
            String scheme = uri.getScheme();
            if (scheme == null || uri.getHost() == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))) {
                return null;
            }
            String s = scheme.toLowerCase(Locale.ROOT);
            int port = uri.getPort();
            boolean defaultPort = port == -1 || (s.equals("http") && port == 80) || (s.equals("https") && port == 443);
            return s + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static int effectivePort(URI origin) {
        return origin.getPort() != -1 ? origin.getPort() : origin.getScheme().equals("https") ? 443 : 80;
    }

    /** The host part of a {@code Host} header in lower case ({@code [::1]} keeps its brackets), or {@code null}. */
    static String hostName(String hostHeader) {
        String value = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (value.startsWith("[")) {
            int end = value.indexOf(']');
            return end < 0 ? null : value.substring(0, end + 1);
        }
        int colon = value.indexOf(':');
        if (colon != value.lastIndexOf(':')) {
            return null; // an IPv6 address without brackets is not a valid Host
        }
        String name = colon < 0 ? value : value.substring(0, colon);
        return name.isEmpty() ? null : name;
    }

    private static int hostPort(String hostHeader, String scheme) {
        String value = hostHeader.trim();
        int colon = value.lastIndexOf(':');
        int bracket = value.lastIndexOf(']');
        if (colon > bracket && colon >= 0) {
            try {
                return Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return scheme.equals("https") ? 443 : 80;
    }

    /** {@code localhost} and loopback address literals ({@code 127.0.0.0/8}, {@code [::1]}); never a DNS lookup. */
    static boolean isLoopbackName(String name) {
        if (name.equals("localhost")) {
            return true;
        }
        if (IPV4.matcher(name).matches()) {
            String[] octets = name.split("\\.");
            for (String octet : octets) {
                if (Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
            return octets[0].equals("127");
        }
        if (name.startsWith("[") && name.endsWith("]") && name.indexOf(':') > 0) {
            try {
                // in brackets getByName takes it as an IPv6 literal, never a name to look up
                return InetAddress.getByName(name).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }
}
