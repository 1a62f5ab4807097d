package io.stratal.logs.query;

/**
 * A read parameter that cannot be used as given. It names the parameter and says what would be accepted,
 * so an HTTP layer can answer 400 with the message as it is.
 */
public final class InvalidParameterException extends IllegalArgumentException {

    /** The parameter's name. */
    private final String parameter;

    /**
     * A parameter that cannot be used.
     *
     * @param parameter the parameter's name
     * @param reason    what is wrong with it, for the client
     */
    public InvalidParameterException(String parameter, String reason) {
        super(parameter + ": " + reason);
        this.parameter = parameter;
    }

    /**
     * {@return a value as an answer may echo it: the first 60 characters, so a huge parameter is not sent back whole}
     *
     * @param text the parameter's value
     */
    public static String shorten(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 60 ? text : text.substring(0, 60) + "...";
    }

    /** {@return the parameter's name, as the client wrote it ({@code limit}, {@code job_run_id}, ...)} */
    public String parameter() {
        return parameter;
    }
}
