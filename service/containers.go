package service

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The container definition shapes below are the subset of the ECS API's
// ContainerDefinition this service uses, with the API's JSON field names.
// A test decodes the rendered JSON strictly into the AWS SDK's type, so a
// misspelt field fails there instead of being silently dropped by ECS.
type containerDefinition struct {
	Name                   string           `json:"name"`
	Image                  string           `json:"image"`
	Essential              bool             `json:"essential"`
	Command                []string         `json:"command"`
	Environment            []keyValue       `json:"environment"`
	Secrets                []secretRef      `json:"secrets"`
	PortMappings           []portMapping    `json:"portMappings,omitempty"`
	HealthCheck            *healthCheck     `json:"healthCheck,omitempty"`
	Memory                 int              `json:"memory"`
	ReadonlyRootFilesystem bool             `json:"readonlyRootFilesystem"`
	User                   string           `json:"user"`
	StopTimeout            int              `json:"stopTimeout"`
	Ulimits                []ulimit         `json:"ulimits"`
	LogConfiguration       logConfiguration `json:"logConfiguration"`
}

type keyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// secretRef makes ECS fetch a Secrets Manager secret at task start and hand
// it to the container as an environment variable: the value never appears
// in the task definition.
type secretRef struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}

type portMapping struct {
	Name          string `json:"name"`
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
}

type healthCheck struct {
	Command     []string `json:"command"`
	Interval    int      `json:"interval"`
	Timeout     int      `json:"timeout"`
	Retries     int      `json:"retries"`
	StartPeriod int      `json:"startPeriod"`
}

type ulimit struct {
	Name      string `json:"name"`
	SoftLimit int    `json:"softLimit"`
	HardLimit int    `json:"hardLimit"`
}

type logConfiguration struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options"`
}

// Names of the containers; the migration CLI and the load balancer refer to them.
const (
	serveContainerName   = "spicedb"
	migrateContainerName = "spicedb-migrate"

	serveLogStreamPrefix   = "serve"
	migrateLogStreamPrefix = "migrate"
)

// Environment variables SpiceDB reads its secrets from.
const (
	envPresharedKey = "SPICEDB_GRPC_PRESHARED_KEY"
	envDatastoreURI = "SPICEDB_DATASTORE_CONN_URI"
)

// envSecretsVersion carries the versions of the container's secrets (see
// secretsFingerprint) so that a new secret value makes a new task
// definition revision. It is not SPICEDB_-prefixed: SpiceDB maps those to
// its flags, and this one is for ECS, not for SpiceDB.
const envSecretsVersion = "SECRETS_VERSION"

// Tuning that is not configurable, with the reasons.
const (
	// The image runs as the distroless "nonroot" user; pin it so a changed
	// base image cannot silently run as root.
	nonRootUser = "65532"
	// ECS sends SIGKILL this long after SIGTERM. SpiceDB's gRPC graceful stop
	// (shutdownGracePeriod) must finish inside it; the NLB has already
	// drained the target for the deregistration delay by then.
	stopTimeoutSeconds  = 30
	shutdownGracePeriod = "20s"
	// One file descriptor per client connection and per pooled datastore
	// connection; the Docker default of 1024 is low for a busy node.
	nofileLimit = 65536
	// gomemlimitPercent of the container's hard memory limit is given to the
	// Go runtime as a soft limit, leaving headroom for non-heap memory, so
	// the GC works harder before the kernel OOM-kills the task.
	gomemlimitPercent = 85
	// Connection pools per task (SpiceDB's defaults, read 20/20 and write
	// 10/10, hold 30 connections per task open even when idle). At most
	// readMax+writeMax = 12 per task; during a rollout up to twice the
	// autoscaling maximum runs (maximumPercent 200), so PostgreSQL needs
	// max_connections >= 2 * maxCount * 12 + a few for the migration task
	// (the default maxCount 4 needs ~100: a db.t4g.micro allows ~110).
	poolReadMaxOpen  = 8
	poolReadMinOpen  = 2
	poolWriteMaxOpen = 4
	poolWriteMinOpen = 1
	// awslogs buffers this much in non-blocking mode; beyond it lines are
	// dropped instead of blocking SpiceDB's stdout when CloudWatch is slow.
	logMaxBufferSize = "25m"
)

// containerInputs are the resolved values the container definitions need.
type containerInputs struct {
	Image     string
	LogGroup  string
	Region    string
	LogLevel  string
	MemoryMiB int // the container's hard limit (the task's memory)
	Secrets   []secretRef
	// SecretsVersion fingerprints the values behind Secrets (no secret material).
	SecretsVersion string
	// DispatchUpstreamAddr, when set, turns on horizontal dispatch in the
	// serve container with this upstream (see dispatch.go).
	DispatchUpstreamAddr string
}

// serveSecretNames and migrateSecretNames say which secrets each container
// gets. The migration only talks to the database, so it does not get the
// preshared key.
var (
	serveSecretNames   = []string{envPresharedKey, envDatastoreURI}
	migrateSecretNames = []string{envDatastoreURI}
)

// serveContainer is the SpiceDB API server.
func serveContainer(in containerInputs) containerDefinition {
	env := append(commonEnvironment(in),
		keyValue{"SPICEDB_GRPC_ADDR", ":" + strconv.Itoa(grpcPort)},
		keyValue{"SPICEDB_GRPC_SHUTDOWN_GRACE_PERIOD", shutdownGracePeriod},
		// The HTTP gateway serves /healthz, which the NLB health-checks.
		keyValue{"SPICEDB_HTTP_ENABLED", "true"},
		keyValue{"SPICEDB_HTTP_ADDR", ":" + strconv.Itoa(httpPort)},
		keyValue{"SPICEDB_METRICS_ADDR", ":" + strconv.Itoa(metricsPort)},
		// Empty disables telemetry; tasks have no reason to call home.
		keyValue{"SPICEDB_TELEMETRY_ENDPOINT", ""},
		keyValue{"SPICEDB_SKIP_RELEASE_CHECK", "true"},
		keyValue{"SPICEDB_DATASTORE_CONN_POOL_READ_MAX_OPEN", strconv.Itoa(poolReadMaxOpen)},
		keyValue{"SPICEDB_DATASTORE_CONN_POOL_READ_MIN_OPEN", strconv.Itoa(poolReadMinOpen)},
		keyValue{"SPICEDB_DATASTORE_CONN_POOL_WRITE_MAX_OPEN", strconv.Itoa(poolWriteMaxOpen)},
		keyValue{"SPICEDB_DATASTORE_CONN_POOL_WRITE_MIN_OPEN", strconv.Itoa(poolWriteMinOpen)},
	)
	c := baseContainer(serveContainerName, in, serveLogStreamPrefix)
	c.Command = []string{"serve"}
	c.PortMappings = []portMapping{
		{Name: "grpc", ContainerPort: grpcPort, Protocol: "tcp"},
		{Name: "http", ContainerPort: httpPort, Protocol: "tcp"},
		{Name: "metrics", ContainerPort: metricsPort, Protocol: "tcp"},
	}
	if in.DispatchUpstreamAddr != "" {
		env = append(env, dispatchEnvironment(in.DispatchUpstreamAddr)...)
		c.PortMappings = append(c.PortMappings, portMapping{Name: "dispatch", ContainerPort: dispatchPort, Protocol: "tcp"})
	}
	c.Environment = sortedEnvironment(env)
	// SERVING once the datastore is at this binary's head migration; the
	// probe ships in the official image.
	c.HealthCheck = &healthCheck{
		Command:     []string{"CMD", "grpc_health_probe", "-addr=127.0.0.1:" + strconv.Itoa(grpcPort)},
		Interval:    10,
		Timeout:     5,
		Retries:     3,
		StartPeriod: 30,
	}
	return c
}

// migrateContainer runs `spicedb datastore migrate head` once and exits;
// the gate decides success from its exit code.
func migrateContainer(in containerInputs) containerDefinition {
	c := baseContainer(migrateContainerName, in, migrateLogStreamPrefix)
	c.Command = []string{"datastore", "migrate", "head"}
	c.Environment = sortedEnvironment(commonEnvironment(in))
	return c
}

func baseContainer(name string, in containerInputs, streamPrefix string) containerDefinition {
	return containerDefinition{
		Name:                   name,
		Image:                  in.Image,
		Essential:              true,
		Secrets:                in.Secrets,
		Memory:                 in.MemoryMiB,
		ReadonlyRootFilesystem: true,
		User:                   nonRootUser,
		StopTimeout:            stopTimeoutSeconds,
		Ulimits:                []ulimit{{Name: "nofile", SoftLimit: nofileLimit, HardLimit: nofileLimit}},
		LogConfiguration: logConfiguration{
			LogDriver: "awslogs",
			Options: map[string]string{
				"awslogs-group":         in.LogGroup,
				"awslogs-region":        in.Region,
				"awslogs-stream-prefix": streamPrefix,
				"mode":                  "non-blocking",
				"max-buffer-size":       logMaxBufferSize,
			},
		},
	}
}

// commonEnvironment is what both containers need to reach the datastore,
// and the fingerprint of the secrets they were given.
func commonEnvironment(in containerInputs) []keyValue {
	return []keyValue{
		{"SPICEDB_DATASTORE_ENGINE", "postgres"},
		{"SPICEDB_LOG_FORMAT", "json"},
		{"SPICEDB_LOG_LEVEL", in.LogLevel},
		{"GOMEMLIMIT", gomemlimit(in.MemoryMiB)},
		{envSecretsVersion, in.SecretsVersion},
	}
}

// gomemlimit renders gomemlimitPercent of memoryMiB in the Go runtime's syntax.
func gomemlimit(memoryMiB int) string {
	return strconv.Itoa(memoryMiB*gomemlimitPercent/100) + "MiB"
}

// sortedEnvironment orders variables by name so the rendered JSON (and the
// task definition diff) does not depend on the order they were added in.
func sortedEnvironment(env []keyValue) []keyValue {
	out := slices.Clone(env)
	slices.SortFunc(out, func(a, b keyValue) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// renderContainerDefinitions is the one place container definitions become JSON.
func renderContainerDefinitions(defs ...containerDefinition) (string, error) {
	b, err := json.Marshal(defs)
	if err != nil {
		return "", fmt.Errorf("service: render container definitions: %w", err)
	}
	return string(b), nil
}
