package dev.wsgateway.gateway.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Keys a part of the gateway reads, as patterns of dotted segments: {@code *} stands for one segment of any name (a
 * service id, a list index), {@code **} for anything below (free-form trees such as an instance's
 * {@code metadata-map}). Each settings class declares its own ({@code KEYS}); {@link GatewaySettings#KEYS} gathers
 * them, and a key in a configuration file under the gateway's own trees that none of them matches stops the start.
 * A settings class also declares here what a key left unset means ({@link Default}), from the very constants its code
 * reads with: {@code --check} prints it and {@code ConfigurationDocTest} holds docs/CONFIGURATION.md to it.
 *
 * @param patterns full key patterns
 * @param defaults what each key declared so far means when it is not set, by full key
 */
public record ConfigKeys(List<String> patterns, Map<String, Default> defaults) {
    /** The trees the gateway owns: every key under them must be known. */
    public static final List<String> OWN_TREES = List.of("gateway", "discovery", "demo", "management");

    /**
     * What a key means when no layer sets it.
     *
     * @param kind  whether it has one fixed value, is computed at start, or is simply not set (a feature off)
     * @param value the fixed value as the key is written ({@code PT10S}, {@code 1048576}, {@code [admin]}), else
     *              empty
     * @param note  for {@link Kind#FIXED}, what may still change it (empty for nothing); for
     *              {@link Kind#COMPUTED}, where it comes from
     */
    public record Default(Kind kind, String value, String note) {
        /** Kinds of default. */
        public enum Kind {
            /** One value, the same on every machine. */
            FIXED,
            /** Derived at start from another setting or the machine. */
            COMPUTED,
            /** None: the feature the key configures is off, or another way applies. */
            NONE
        }

        /**
         * The line {@code --check} prints for a key left at this default.
         *
         * @param key full key
         * @return line
         */
        public String describe(String key) {
            return switch (kind) {
                case FIXED -> key + " = " + value + "    (built-in default" + (note.isEmpty() ? "" : "; " + note) + ")";
                case COMPUTED -> key + " = (built-in default: computed at start" + (note.isEmpty() ? "" : " from " + note)
                        + ", see docs/CONFIGURATION.md)";
                case NONE -> key + " = (not set: no default, see docs/CONFIGURATION.md)";
            };
        }
    }

    public ConfigKeys {
        patterns = List.copyOf(patterns);
        defaults = Map.copyOf(defaults);
    }

    /**
     * Keys without declared defaults.
     *
     * @param patterns full key patterns
     */
    public ConfigKeys(List<String> patterns) {
        this(patterns, Map.of());
    }

    /**
     * These keys, with a fixed default for one of them.
     *
     * @param key   full key, one of the patterns
     * @param value its default as the code reads it: a {@link java.time.Duration} (shown in ISO-8601), a number, a
     *              switch, a word (an enum shows in lower case), or a collection (shown as {@code [a, b]})
     * @return keys
     */
    public ConfigKeys withDefault(String key, Object value) {
        return with(key, new Default(Default.Kind.FIXED, written(value), ""));
    }

    /**
     * These keys, with a fixed default that something at start may still change.
     *
     * @param key   full key, one of the patterns
     * @param value its default as the code reads it
     * @param note  what may change it (e.g. {@code lowered at start to fit ulimit -n})
     * @return keys
     */
    public ConfigKeys withDefault(String key, Object value, String note) {
        return with(key, new Default(Default.Kind.FIXED, written(value), note));
    }

    /**
     * These keys, with one whose default is derived at start.
     *
     * @param key  full key, one of the patterns
     * @param from where it comes from (e.g. {@code server.host}, {@code the machine's host name}), empty to leave
     *             that to docs/CONFIGURATION.md
     * @return keys
     */
    public ConfigKeys withComputed(String key, String from) {
        return with(key, new Default(Default.Kind.COMPUTED, "", from));
    }

    /**
     * These keys, with some that have no default (unset, the feature they configure is off or another way applies).
     *
     * @param keys full keys, each one of the patterns
     * @return keys
     */
    public ConfigKeys withNoDefault(String... keys) {
        ConfigKeys out = this;
        for (String key : keys) {
            out = out.with(key, new Default(Default.Kind.NONE, "", ""));
        }
        return out;
    }

    /**
     * What a key means when it is not set.
     *
     * @param key full key
     * @return its declared default, empty when none is declared
     */
    public Optional<Default> defaultOf(String key) {
        return Optional.ofNullable(defaults.get(key));
    }

    private ConfigKeys with(String key, Default value) {
        if (!patterns.contains(key) || key.contains("*")) {
            throw new IllegalArgumentException("a default for " + key + ", which is not one of these keys");
        }
        Map<String, Default> all = new LinkedHashMap<>(defaults);
        if (all.put(key, value) != null) {
            throw new IllegalArgumentException("two defaults for " + key);
        }
        return new ConfigKeys(patterns, all);
    }

    /** A default value as it is written in a configuration file. */
    static String written(Object value) {
        if (value instanceof Collection<?> c) {
            return c.stream().map(ConfigKeys::written).collect(java.util.stream.Collectors.toCollection(TreeSet::new))
                    .toString();
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(java.util.Locale.ROOT);
        }
        if (value instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
            return String.valueOf(d.longValue());
        }
        return String.valueOf(value);
    }

    /**
     * Keys below a prefix.
     *
     * @param prefix   common prefix without the trailing dot (e.g. {@code gateway.relay}); empty for none
     * @param relative keys relative to the prefix
     * @return keys
     */
    public static ConfigKeys of(String prefix, String... relative) {
        List<String> full = new ArrayList<>();
        for (String key : relative) {
            full.add(prefix.isEmpty() ? key : prefix + "." + key);
        }
        return new ConfigKeys(full);
    }

    /**
     * All of several sets of keys.
     *
     * @param sets sets
     * @return union
     */
    public static ConfigKeys union(Collection<ConfigKeys> sets) {
        List<String> all = new ArrayList<>();
        Map<String, Default> defaults = new LinkedHashMap<>();
        sets.forEach(s -> {
            all.addAll(s.patterns);
            defaults.putAll(s.defaults);
        });
        return new ConfigKeys(all, defaults);
    }

    /**
     * These keys and more.
     *
     * @param more more keys
     * @return union
     */
    public ConfigKeys and(ConfigKeys more) {
        return union(List.of(this, more));
    }

    /**
     * Whether a key is under one of the trees the gateway checks.
     *
     * @param key full key
     * @return whether it must be known
     */
    public static boolean owned(String key) {
        int dot = key.indexOf('.');
        return OWN_TREES.contains(dot < 0 ? key : key.substring(0, dot));
    }

    /**
     * Whether a key is known.
     *
     * @param key full key of a leaf
     * @return whether some pattern matches it
     */
    public boolean known(String key) {
        String[] segments = key.split("\\.");
        return patterns.stream().anyMatch(p -> matches(p.split("\\."), segments));
    }

    /**
     * The known key closest to an unknown one (edit distance, at most an eighth of its length but at least 2; or a
     * known key that ends with it), with the wildcards of the pattern filled from the key.
     *
     * @param key unknown key
     * @return closest known key, empty when none is close
     */
    public Optional<String> closest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String[] segments = key.split("\\.");
        for (String pattern : patterns) {
            String candidate = filled(pattern.split("\\."), segments);
            // a key written without its parent tree (management.port for gateway.management.port) is close too
            int d = candidate.endsWith("." + key) ? 1 : distance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 8) ? Optional.of(best) : Optional.empty();
    }

    private static boolean matches(String[] pattern, String[] key) {
        int i = 0;
        for (; i < pattern.length; i++) {
            if (pattern[i].equals("**")) {
                return key.length > i;
            }
            if (i >= key.length || !pattern[i].equals("*") && !pattern[i].equals(key[i])) {
                return false;
            }
        }
        return i == key.length;
    }

    private static String filled(String[] pattern, String[] key) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length; i++) {
            String segment = pattern[i];
            if (segment.equals("**")) {
                segment = i < key.length ? String.join(".", java.util.Arrays.copyOfRange(key, i, key.length)) : "x";
            } else if (segment.equals("*")) {
                segment = i < key.length ? key[i] : "<name>";
            }
            out.append(i == 0 ? "" : ".").append(segment);
        }
        return out.toString();
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
