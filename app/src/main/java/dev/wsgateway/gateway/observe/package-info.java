/**
 * What operators see: Prometheus meters, the session listing and close endpoint, readiness, the operator console page
 * with its history samples and discovery state, the access log, and the log line format (text or JSON), which is also
 * where everything a peer sent is neutralised before it reaches a log.
 */
package dev.wsgateway.gateway.observe;
