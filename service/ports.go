package service

// Container ports of the serve task. The NLB targets grpcPort and health-checks
// /healthz on httpPort; metricsPort (which also serves pprof) has no ingress
// rule at all: a scraper needs its own.
const (
	grpcPort    = 50051
	httpPort    = 8443
	metricsPort = 9090

	// postgresPort is where the tasks reach the datastore.
	postgresPort = 5432
)
