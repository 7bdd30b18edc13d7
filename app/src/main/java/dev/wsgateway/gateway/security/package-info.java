/**
 * Basic authentication (Helidon's http-basic-auth provider) for gateway-authenticated routes, the protection of the
 * observe endpoints, and the signatures with which the gateways of a cluster prove themselves to each other.
 */
package dev.wsgateway.gateway.security;
