/**
 * What operators see: Prometheus meters, the session listing and close endpoint, readiness, and the log line format.
 */
package dev.wsgateway.gateway.observe;
