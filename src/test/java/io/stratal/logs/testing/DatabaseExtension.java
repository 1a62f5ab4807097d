package io.stratal.logs.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh {@link TestDatabase} for a test class ({@code @RegisterExtension static}) or for each test (an
 * instance field), dropped afterwards.
 */
public final class DatabaseExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private TestDatabase db;
    private boolean perClass;

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        db = TestDatabase.create();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            db = TestDatabase.create();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            close();
        }
    }

    public TestDatabase get() {
        if (db == null) {
            throw new IllegalStateException("no database outside a test");
        }
        return db;
    }

    private void close() {
        if (db != null) {
            db.close();
            db = null;
        }
    }
}
