/**
 * Configuration read once per concern: one settings record per node, each default stated once. Depends on no other
 * package of the gateway.
 */
package dev.wsgateway.gateway.config;
