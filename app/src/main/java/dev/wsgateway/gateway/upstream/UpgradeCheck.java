package dev.wsgateway.gateway.upstream;

import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.wsgateway.gateway.http.HandshakeKeys;
import dev.wsgateway.gateway.http.WsHeaders;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/**
 * The checks of an instance's 101 (RFC 6455 §4.1, the client's side): {@code Upgrade: websocket} and
 * {@code Connection: Upgrade}, the {@code Sec-WebSocket-Accept} of the gateway's key, and nothing negotiated that the
 * client did not offer: a subprotocol from its list, extensions by name from its {@code Sec-WebSocket-Extensions}
 * (which the gateway forwarded as it was). A 101 that fails one is never relayed: the client gets a 502.
 */
final class UpgradeCheck {
    private UpgradeCheck() {
    }

    /**
     * Check a 101.
     *
     * @param instance  the instance, for messages
     * @param socket    the connection
     * @param answer    its parsed head (status 101)
     * @param key       the key the gateway sent
     * @param offered   subprotocols the client offered
     * @param forwarded headers the gateway sent, the client's extension offer among them
     * @param leftover  bytes read past the head
     * @return the link
     * @throws UpstreamException {@link ConnectFailure.BadAnswer} when a check fails
     */
    static UpstreamConnector.Link accepted(String instance, Socket socket, UpgradeAnswer answer, String key,
                                           List<String> offered, Map<String, List<String>> forwarded,
                                           byte[] leftover) {
        Headers headers = answer.headers();
        if (!headers.first(HeaderNames.UPGRADE).orElse("").trim().equalsIgnoreCase("websocket")
                || !hasToken(headers, HeaderNames.CONNECTION, "upgrade")) {
            throw bad(instance, "answered 101 without 'Upgrade: websocket' and 'Connection: Upgrade'");
        }
        if (!headers.first(WsHeaders.ACCEPT).orElse("").equals(HandshakeKeys.accept(key))) {
            throw bad(instance, "answered with an invalid Sec-WebSocket-Accept");
        }
        String subprotocol = headers.first(WsHeaders.PROTOCOL).orElse("").trim();
        if (!subprotocol.isEmpty() && !offered.contains(subprotocol)) {
            throw bad(instance, "chose subprotocol '" + subprotocol + "' the client did not offer");
        }
        if (headers.contains(WsHeaders.EXTENSIONS)) {
            List<String> offeredValues = new ArrayList<>();
            forwarded.forEach((name, values) -> {
                if (name.equalsIgnoreCase(WsHeaders.EXTENSIONS.defaultCase())) {
                    offeredValues.addAll(values);
                }
            });
            Set<String> offeredExtensions = extensionNames(offeredValues);
            for (String name : extensionNames(headers.values(WsHeaders.EXTENSIONS))) {
                if (!offeredExtensions.contains(name)) {
                    throw bad(instance, "negotiated extension '" + name + "' the client did not offer");
                }
            }
        }
        return new UpstreamConnector.Link(socket, leftover, headers, subprotocol);
    }

    /**
     * The extension names of {@code Sec-WebSocket-Extensions} values (RFC 6455 §9.1: a comma-separated list of
     * {@code name *( ";" param )}), lower case.
     */
    static Set<String> extensionNames(List<String> values) {
        Set<String> names = new HashSet<>();
        for (String value : values) {
            boolean quoted = false;
            boolean inName = true;
            StringBuilder name = new StringBuilder();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (quoted) {
                    quoted = c != '"';
                    i += c == '\\' ? 1 : 0;
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    add(names, name);
                    inName = true;
                } else if (c == ';') {
                    inName = false;
                } else if (inName) {
                    name.append(c);
                }
            }
            add(names, name);
        }
        return names;
    }

    private static void add(Set<String> names, StringBuilder name) {
        String trimmed = name.toString().trim();
        if (!trimmed.isEmpty()) {
            names.add(trimmed.toLowerCase(Locale.ROOT));
        }
        name.setLength(0);
    }

    private static boolean hasToken(Headers headers, HeaderName name, String token) {
        for (String value : headers.values(name)) {
            for (String part : value.split(",")) {
                if (part.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static UpstreamException bad(String instance, String problem) {
        return new UpstreamException(new ConnectFailure.BadAnswer(instance, problem));
    }
}
