// Package rehearsal runs the ECS container definitions our Pulumi program
// renders as real local processes: a real PostgreSQL standing in for RDS,
// the real SpiceDB binary for the migration task and N serve tasks, and an
// emulated Network Load Balancer (TLS termination, ALPN, target health
// checks) in front of them. It answers "would this task definition work?"
// without AWS or Docker.
//
// The plan comes from the program itself: PlanFromStack runs stack.Program
// under the mock harness for a stack's configuration and takes the
// registered containerDefinitions JSON (decoded strictly), the secret values
// that run generated, and the listener and target group in front of the ECS
// service. Secret values never reach Logf, errors or Endpoint formatting;
// clients read the preshared key from Endpoint.KeyFile (0600, removed by
// Stop).
//
// What is reproduced as ECS does it: the container command appended to the
// image entrypoint (spicedb), environment + secrets merged into the process
// environment, secret values taken from the plan, the load balancer's listener
// and target group settings, dispatch between tasks through a DNS name that
// lists the running tasks (Cloud Map). What is adapted to one machine: each
// serve task gets its own loopback address (127.a.b.n, as awsvpc gives each
// task its own IP) and every listen-address variable is bound to it with the
// rendered port; the datastore URI's host:port points at the local
// PostgreSQL (user, password, database and query are kept); the dispatch
// upstream asks a local DNS server for the rendered name and port.
// Not reproduced: the container health check command (grpc_health_probe is
// not in the image we run) and the Cloud Map health filtering it drives, ECS
// metadata variables, memory limits, deregistration delay, the replacement
// of a stopped task.
package rehearsal
