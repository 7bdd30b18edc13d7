/**
 * HTTP vocabulary shared by every package: a refused request ({@link dev.wsgateway.gateway.http.Refusal}) and its one
 * rendering, handshake key helpers and header names. Depends on no other package of the gateway.
 */
package dev.wsgateway.gateway.http;
