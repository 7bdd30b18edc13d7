/**
 * Connecting to services: resolving a session's request to instances, the connect policy (attempts, deadlines,
 * backoff, exclusions), passive ejections, upstream TLS and the upgrade of the upstream connection.
 */
package dev.wsgateway.gateway.upstream;
