// Package nlb emulates the parts of an AWS Network Load Balancer that a
// SpiceDB deployment depends on: a TLS listener (certificate from a throwaway
// test CA, protocol versions and cipher suites from the listener's
// ELBSecurityPolicy, ALPN from its ALPN policy) that forwards the decrypted
// bytes over plain TCP to registered targets, and a target group health
// checker that decides which targets get traffic.
//
// Behaviour, and where it deliberately differs from a real NLB:
//
//   - Health checks run exactly as declared: protocol (HTTP, HTTPS, TCP),
//     address, path, matcher, interval, timeout and thresholds. The first
//     check runs when a target is registered, then one per interval.
//   - A new target starts in state "initial" and receives no traffic. It
//     becomes "healthy" after HealthyThreshold consecutive successes; any
//     state becomes "unhealthy" after UnhealthyThreshold consecutive
//     failures; "unhealthy" returns to "healthy" after HealthyThreshold
//     consecutive successes. This matches the AWS state names and thresholds.
//   - Routing is per connection, round-robin over healthy targets (a real NLB
//     hashes the flow; round-robin makes tests deterministic while keeping
//     the property that matters: one TCP connection sticks to one target).
//   - When no target is healthy the connection is closed after the TLS
//     handshake. A real NLB "fails open" instead: when every registered
//     target is unhealthy it routes to all of them. Config.FailOpen turns
//     that on (targets still in "initial" are not used, as on AWS). It is off
//     by default so a rehearsal can show that nothing reaches a SpiceDB task
//     whose datastore is not migrated; with fail-open on, such a task would
//     get traffic and answer Unavailable — which is why the deployment must
//     migrate before the service starts.
//   - When a target turns unhealthy its open connections are closed (the AWS
//     default for TCP target groups, "connection termination on unhealthy").
//   - Not emulated: deregistration delay/draining, cross-zone behaviour,
//     idle timeout, proxy protocol, client IP preservation.
package nlb
