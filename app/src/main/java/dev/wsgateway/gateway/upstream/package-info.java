/**
 * Connecting to services: resolving a session's request to instances, the connect policy (attempts, one deadline per
 * attempt and per round, backoff, exclusions), upstream TLS, the upgrade of the upstream connection with the checks
 * of its 101, and the typed {@link dev.wsgateway.gateway.upstream.ConnectFailure} of everything that can go wrong on
 * the way. What is known about instances (health, ejections, session counts) lives in {@code instances}.
 */
package dev.wsgateway.gateway.upstream;
