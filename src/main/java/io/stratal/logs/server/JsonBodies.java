package io.stratal.logs.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;

/** Small JSON answers of the server (errors, status), written with Jackson's streaming generator. */
final class JsonBodies {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private JsonBodies() {
    }

    interface Body {
        void write(JsonGenerator generator) throws IOException;
    }

    static String object(Body fields) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator generator = FACTORY.createGenerator((Writer) out)) {
            generator.writeStartObject();
            fields.write(generator);
            generator.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** {@code {"error": message, "parameter": parameter}}; the parameter is left out when {@code null}. */
    static String error(String message, String parameter) {
        return object(generator -> {
            generator.writeStringField("error", message);
            if (parameter != null) {
                generator.writeStringField("parameter", parameter);
            }
        });
    }
}
