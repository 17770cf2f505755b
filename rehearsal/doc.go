// Package rehearsal runs the ECS container definitions our Pulumi program
// renders as real local processes: a real PostgreSQL standing in for RDS,
// the real SpiceDB binary for the migration task and N serve tasks, and an
// emulated Network Load Balancer (TLS termination, ALPN, target health
// checks) in front of them. It answers "would this task definition work?"
// without AWS or Docker.
//
// What is reproduced as ECS does it: the container command appended to the
// image entrypoint (spicedb), environment + secrets merged into the process
// environment, secret values taken from the plan, the load balancer's listener
// and target group settings. What is adapted to one machine: every
// listen-address variable is rewritten to a free loopback port (consistently
// with the port mappings), the datastore URI's host:port points at the local
// PostgreSQL (user, password, database and query are kept). Not reproduced:
// the container health check command (grpc_health_probe is not in the image
// we run), ECS metadata variables, memory limits, deregistration delay.
package rehearsal
