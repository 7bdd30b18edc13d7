/**
 * What operators see: Prometheus meters, the session listing and close endpoint, readiness, the operator console page,
 * and the log line format.
 */
package dev.wsgateway.gateway.observe;
