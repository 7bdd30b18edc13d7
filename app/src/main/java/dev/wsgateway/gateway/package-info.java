/**
 * The gateway as a server: {@link dev.wsgateway.gateway.GatewayWiring} creates the parts from configuration and puts
 * them on a Helidon server builder; {@link dev.wsgateway.gateway.Gateway} runs it (start, drain, stop); {@link
 * dev.wsgateway.gateway.Main} is the command line.
 */
package dev.wsgateway.gateway;
