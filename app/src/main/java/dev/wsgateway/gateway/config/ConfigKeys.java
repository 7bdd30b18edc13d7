package dev.wsgateway.gateway.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Keys a part of the gateway reads, as patterns of dotted segments: {@code *} stands for one segment of any name (a
 * service id, a list index), {@code **} for anything below (free-form trees such as an instance's
 * {@code metadata-map}). Each settings class declares its own ({@code KEYS}); {@link GatewaySettings#KEYS} gathers
 * them, and a key in a configuration file under the gateway's own trees that none of them matches stops the start.
 *
 * @param patterns full key patterns
 */
public record ConfigKeys(List<String> patterns) {
    /** The trees the gateway owns: every key under them must be known. */
    public static final List<String> OWN_TREES = List.of("gateway", "discovery", "demo", "management");

    public ConfigKeys {
        patterns = List.copyOf(patterns);
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
        sets.forEach(s -> all.addAll(s.patterns));
        return new ConfigKeys(all);
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
