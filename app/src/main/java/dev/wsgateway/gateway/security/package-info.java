/**
 * Basic authentication (Helidon's http-basic-auth provider) for gateway-authenticated routes and the protection of the
 * observe endpoints; Zowe single sign-on tokens (JWT verified against the key set Zowe's gateway publishes) beside
 * Basic on gateway-authenticated routes; the signatures with which the gateways of a cluster prove themselves to each
 * other.
 */
package dev.wsgateway.gateway.security;
