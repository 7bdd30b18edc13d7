/**
 * Orders the UP instances of a service for a new session (round robin, least sessions, user affinity).
 */
package dev.wsgateway.gateway.balancing;
