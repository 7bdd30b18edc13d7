/**
 * Configuration read once per concern: one settings record per node, each default stated once, each value read
 * through {@link dev.wsgateway.gateway.config.Values} (type and range checked), each key declared in the record's
 * {@code KEYS} (gathered by {@link dev.wsgateway.gateway.config.GatewaySettings#KEYS}); the layers, their origins and
 * the unknown-key check in {@link dev.wsgateway.gateway.config.GatewayConfig}. Depends on no other package of the
 * gateway.
 */
package dev.wsgateway.gateway.config;
