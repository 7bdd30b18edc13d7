/**
 * Relayed sessions: the two frame pumps between a client and a service, the session's phases and close policy, held
 * frames and replay for live failover, the watchdog, and the registry of active sessions.
 */
package dev.wsgateway.gateway.relay;
