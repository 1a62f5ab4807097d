package io.stratal.logs.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The API's OpenAPI 3.1 description, {@code openapi.json} next to this class, served at
 * {@code /api/v1/openapi.json}. It is written by hand; {@code OpenApiIT} fails when a route is added or
 * removed without it.
 */
final class OpenApi {

    static final String RESOURCE = "openapi.json";

    private OpenApi() {
    }

    static byte[] document() {
        try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
