/**
 * What the gateway knows about each service instance beyond discovery: active health checks and their results
 * ({@link dev.wsgateway.gateway.instances.HealthChecks}, {@link dev.wsgateway.gateway.instances.InstanceHealth}),
 * passive ejections after failed connects ({@link dev.wsgateway.gateway.instances.Ejections}), active sessions per
 * instance ({@link dev.wsgateway.gateway.instances.ActiveSessions}), and the migration of sessions off instances that
 * drain or turn unhealthy ({@link dev.wsgateway.gateway.instances.InstanceMigration}, which acts on sessions only
 * through its {@code SessionMover}). Uses no other package of the gateway but {@code config}.
 */
package dev.wsgateway.gateway.instances;
