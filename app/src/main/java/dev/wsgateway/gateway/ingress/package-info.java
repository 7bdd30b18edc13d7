/**
 * Where clients enter: the takeover of an HTTP/1.1 upgrade, gateway path parsing, the handshake checks (rate, limits,
 * origin, authentication) and the answers to refused handshakes.
 */
package dev.wsgateway.gateway.ingress;
