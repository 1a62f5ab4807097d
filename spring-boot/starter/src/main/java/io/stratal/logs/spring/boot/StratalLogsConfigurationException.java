package io.stratal.logs.spring.boot;

/**
 * A {@code stratal.logs.*} value, or a combination of them, that cannot work; the application does not
 * start, and {@link StratalLogsFailureAnalyzer} says which property to change.
 */
public class StratalLogsConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The property to change. */
    private final String property;

    /**
     * A configuration that cannot work.
     *
     * @param property the property to change, e.g. {@code stratal.logs.job-run-id-key}
     * @param message  what is wrong with it
     */
    public StratalLogsConfigurationException(String property, String message) {
        super(property + ": " + message);
        this.property = property;
    }

    /** {@return the property to change} */
    public String getProperty() {
        return property;
    }
}
