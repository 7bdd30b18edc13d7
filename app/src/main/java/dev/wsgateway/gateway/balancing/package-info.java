/**
 * Orders the UP instances of a service for a new session (round robin, least sessions).
 */
package dev.wsgateway.gateway.balancing;
