package io.stratal.logs.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The server's optional shared secret. A request shows it as {@code Authorization: Bearer <token>}, or as
 * the {@code access_token} query parameter where a client cannot set headers (a browser's
 * {@code EventSource} and {@code WebSocket}).
 */
final class BearerToken {

    private final byte[] expected;

    BearerToken(String token) {
        this.expected = token.getBytes(StandardCharsets.UTF_8);
    }

    boolean accepts(String authorizationHeader, String queryParameter) {
        String offered = null;
        if (authorizationHeader != null && authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            offered = authorizationHeader.substring(7).trim();
        } else if (queryParameter != null) {
            offered = queryParameter;
        }
        // constant time, so the comparison does not tell how much of a guess was right
        return offered != null && MessageDigest.isEqual(expected, offered.getBytes(StandardCharsets.UTF_8));
    }
}
