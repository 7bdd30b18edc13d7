package dev.wsgateway.discovery;

/**
 * Text from discovery (metadata, instance ids, error messages of a remote server) made safe for one log line: control
 * characters (CR, LF, ESC, ...) become {@code ?}, and it is cut at 300 characters.
 */
public final class Printable {
    private static final int MAX = 300;

    private Printable() {
    }

    /**
     * Neutralise text for a log line.
     *
     * @param text text from a peer, may be {@code null}
     * @return printable text
     */
    public static String of(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX));
        for (int i = 0; i < text.length() && out.length() < MAX; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c);
        }
        return text.length() > MAX ? out.append("...").toString() : out.toString();
    }
}
