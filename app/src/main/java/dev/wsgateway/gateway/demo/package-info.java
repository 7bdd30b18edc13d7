/**
 * The demo echo service started by the embedded default configuration.
 */
package dev.wsgateway.gateway.demo;
