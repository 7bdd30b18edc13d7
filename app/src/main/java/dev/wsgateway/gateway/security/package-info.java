/**
 * Basic authentication (Helidon's http-basic-auth provider) for gateway-authenticated routes and the protection of the
 * observe endpoints.
 */
package dev.wsgateway.gateway.security;
