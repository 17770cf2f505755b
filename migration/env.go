package migration

// Environment variables that carry the gate's parameters. The Pulumi program builds
// the gate command's environment from these names and `spicedb-ecs migrate` reads
// its flag defaults from them, so the two sides cannot drift apart.
const (
	EnvCluster         = "SPICEDB_ECS_CLUSTER"
	EnvTaskDefinition  = "SPICEDB_ECS_TASK_DEFINITION"
	EnvSubnets         = "SPICEDB_ECS_SUBNETS"         // ListSeparator-separated subnet IDs
	EnvSecurityGroups  = "SPICEDB_ECS_SECURITY_GROUPS" // ListSeparator-separated security group IDs
	EnvContainer       = "SPICEDB_ECS_CONTAINER"
	EnvLogGroup        = "SPICEDB_ECS_LOG_GROUP"
	EnvLogStreamPrefix = "SPICEDB_ECS_LOG_STREAM_PREFIX"
	EnvTimeout         = "SPICEDB_ECS_TIMEOUT" // Go duration, e.g. "30m"
)

// ListSeparator joins list values (subnets, security groups) in one environment variable.
const ListSeparator = ","
