package io.stratal.logs.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Positional words and {@code --flag value} / {@code --switch} options of one command line. */
final class Args {

    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> options = new HashMap<>();

    private Args() {
    }

    /**
     * Parses {@code argv}; {@code valued} flags take the next word, {@code switches} take none. Anything else
     * starting with {@code --} is an error.
     */
    static Args parse(String[] argv, Set<String> valued, Set<String> switches) throws UsageException {
        Args args = new Args();
        for (int i = 0; i < argv.length; i++) {
            String word = argv[i];
            if (!word.startsWith("--")) {
                args.positional.add(word);
            } else if (switches.contains(word)) {
                args.options.put(word, "true");
            } else if (valued.contains(word)) {
                if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) {
                    throw new UsageException(word + " needs a value");
                }
                args.options.put(word, argv[++i]);
            } else {
                throw new UsageException("unknown option " + word);
            }
        }
        return args;
    }

    List<String> positional() {
        return positional;
    }

    boolean has(String flag) {
        return options.containsKey(flag);
    }

    /** The flag's value as given, else {@code null}. */
    String value(String flag) {
        return options.get(flag);
    }

    /** The flag's value, else the environment variable's, else {@code null}; a blank value counts as none. */
    String valueOrEnv(String flag, String environmentVariable) {
        String value = givenValueOrEnv(flag, environmentVariable);
        return value == null || value.isBlank() ? null : value;
    }

    /** Like {@link #valueOrEnv}, but a blank value is returned as given: for settings where blank is a mistake. */
    String givenValueOrEnv(String flag, String environmentVariable) {
        String value = options.get(flag);
        return value != null ? value : System.getenv(environmentVariable);
    }

    /** A comma-separated list from the flag or the environment variable; empty when neither is given. */
    List<String> listOrEnv(String flag, String environmentVariable) {
        String value = valueOrEnv(flag, environmentVariable);
        List<String> items = new ArrayList<>();
        if (value != null) {
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
        return items;
    }

    /** A wrong command line: {@code Main} prints the message and the usage, and exits 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }
}
