package service

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Datastore is what the service needs from the database (database.Database
// satisfies it): a way to let the task security group reach PostgreSQL.
type Datastore interface {
	AllowFrom(ctx *pulumi.Context, name string, clientSecurityGroupID pulumi.IDInput) (pulumi.Resource, error)
}

// Accepted values of the enumerated Args fields.
const (
	ArchitectureARM64 = "arm64"
	ArchitectureX8664 = "x86_64"

	MigrationGateECSTask = "ecsTask"
	MigrationGateNone    = "none"
)

// Args configures the SpiceDB service. Every optional field's default is
// applied in withDefaults and documented next to the field.
type Args struct {
	VpcID, VpcCidr                    pulumi.StringInput      // required
	PublicSubnetIDs, PrivateSubnetIDs pulumi.StringArrayInput // required; tasks always run in the private ones

	Datastore               Datastore          // required
	DatabaseSecurityGroupID pulumi.IDInput     // required: the tasks get egress 5432 to it
	DatastoreURISecretArn   pulumi.StringInput // required: Secrets Manager secret holding the full datastore URI
	// DatastoreURISecretVersionID is required: the version id of the
	// datastore URI secret's current value (its SecretVersion's VersionId),
	// or anything else that changes whenever that value does. ECS reads
	// secrets only when a task starts; a changed id changes the task
	// definitions, so the migration re-runs and the service rolls onto the
	// new value.
	DatastoreURISecretVersionID pulumi.StringInput
	// SecretsKmsKeyArn is the customer KMS key that encrypts the datastore URI
	// secret, if any. The preshared-key secret is then encrypted with it too
	// and the execution roles may kms:Decrypt with it (via Secrets Manager
	// only). Empty: both secrets use the AWS managed key, no KMS grant needed.
	SecretsKmsKeyArn string

	SpiceDBVersion string // default "v1.56.2"
	Architecture   string // "arm64" (default) | "x86_64"
	ImageURI       string // non-empty: use as is, no ECR repository or build
	KeepImages     int    // ECR lifecycle: images kept, default 10

	DesiredCount int    // default 2; within Autoscaling.MinCount..MaxCount
	CPU          int    // task CPU units, default 512
	MemoryMiB    int    // task memory, default 1024; must be a Fargate size with CPU
	LogLevel     string // default "info"

	Autoscaling  AutoscalingArgs
	LoadBalancer LoadBalancerArgs
	TLS          TLSArgs

	// Dispatch runs SpiceDB's horizontal dispatch between the serve tasks,
	// which find each other through Cloud Map DNS (dispatch.go). Off unless
	// set; the stack passes its spicedb.dispatch setting (default false).
	Dispatch bool

	MigrationGate    string        // "ecsTask" (default) | "none"
	MigrationTimeout time.Duration // default 30m
	LogRetentionDays int           // default 30

	// AdditionalPresharedKeys are extra accepted keys (a secret,
	// comma-separated) appended after the generated one, for rotation.
	AdditionalPresharedKeys pulumi.StringInput

	// Region and Profile are what the stack's aws provider uses; the gate
	// passes them to the migration CLI. Empty Region: the provider's region
	// is looked up.
	Region, Profile string

	Tags map[string]string
}

// Documented defaults.
const (
	defaultSpiceDBVersion     = "v1.56.2"
	defaultSslPolicy          = "ELBSecurityPolicy-TLS13-1-2-2021-06"
	defaultKeepImages         = 10
	defaultDesiredCount       = 2
	defaultCPU                = 512
	defaultMemoryMiB          = 1024
	defaultLogLevel           = "info"
	defaultMinCount           = 2
	defaultMaxCount           = 4
	defaultTargetCPUPercent   = 50
	defaultListenerPort       = 443
	defaultDeregistrationSecs = 60
	defaultMigrationTimeout   = 30 * time.Minute
	defaultLogRetentionDays   = 30
)

// LogLevels are the SpiceDB log levels accepted (stack config checks the same list).
var LogLevels = []string{"trace", "debug", "info", "warn", "error"}

// withDefaults returns a copy of a with every unset optional field set to its
// documented default. It is the only place defaults live.
func (a Args) withDefaults() Args {
	a.SpiceDBVersion = cmp.Or(a.SpiceDBVersion, defaultSpiceDBVersion)
	a.Architecture = cmp.Or(a.Architecture, ArchitectureARM64)
	a.KeepImages = cmp.Or(a.KeepImages, defaultKeepImages)
	a.DesiredCount = cmp.Or(a.DesiredCount, defaultDesiredCount)
	a.CPU = cmp.Or(a.CPU, defaultCPU)
	a.MemoryMiB = cmp.Or(a.MemoryMiB, defaultMemoryMiB)
	a.LogLevel = cmp.Or(a.LogLevel, defaultLogLevel)
	a.Autoscaling.MinCount = cmp.Or(a.Autoscaling.MinCount, defaultMinCount)
	a.Autoscaling.MaxCount = cmp.Or(a.Autoscaling.MaxCount, defaultMaxCount)
	a.Autoscaling.TargetCPUPercent = cmp.Or(a.Autoscaling.TargetCPUPercent, defaultTargetCPUPercent)
	a.LoadBalancer.ListenerPort = cmp.Or(a.LoadBalancer.ListenerPort, defaultListenerPort)
	a.LoadBalancer.SslPolicy = cmp.Or(a.LoadBalancer.SslPolicy, defaultSslPolicy)
	a.LoadBalancer.DeregistrationDelaySeconds = cmp.Or(a.LoadBalancer.DeregistrationDelaySeconds, defaultDeregistrationSecs)
	a.MigrationGate = cmp.Or(a.MigrationGate, MigrationGateECSTask)
	a.MigrationTimeout = cmp.Or(a.MigrationTimeout, defaultMigrationTimeout)
	a.LogRetentionDays = cmp.Or(a.LogRetentionDays, defaultLogRetentionDays)
	a.Tags = maps.Clone(a.Tags) // the caller's map stays theirs
	return a
}

// validate reports every problem with (defaulted) args at once. Field names
// are followed by the stack config key they usually come from.
func (a Args) validate() error {
	var problems []error
	add := func(format string, v ...any) { problems = append(problems, fmt.Errorf(format, v...)) }

	for _, r := range []struct {
		field   string
		missing bool
	}{
		{"VpcID", a.VpcID == nil},
		{"VpcCidr", a.VpcCidr == nil},
		{"PublicSubnetIDs", a.PublicSubnetIDs == nil},
		{"PrivateSubnetIDs", a.PrivateSubnetIDs == nil},
		{"Datastore", a.Datastore == nil},
		{"DatabaseSecurityGroupID", a.DatabaseSecurityGroupID == nil},
		{"DatastoreURISecretArn", a.DatastoreURISecretArn == nil},
		{"DatastoreURISecretVersionID", a.DatastoreURISecretVersionID == nil},
	} {
		if r.missing {
			add("%s is required", r.field)
		}
	}
	if _, err := platformOf(a.Architecture); err != nil {
		add("Architecture (spicedb.architecture): %v", err)
	}
	if err := ValidateFargateSize(a.CPU, a.MemoryMiB); err != nil {
		add("spicedb.cpu/spicedb.memoryMiB: %v", err)
	}
	if !slices.Contains(LogLevels, a.LogLevel) {
		add("LogLevel (spicedb.logLevel) %q: accepted %v", a.LogLevel, LogLevels)
	}
	if a.KeepImages < 1 {
		add("KeepImages (image.keepImages) must be at least 1, got %d", a.KeepImages)
	}
	as := a.Autoscaling
	if as.MinCount < 1 || as.MaxCount < as.MinCount {
		add("Autoscaling (autoscaling.minCount/maxCount): need 1 <= min <= max, got min %d max %d", as.MinCount, as.MaxCount)
	}
	if a.DesiredCount < as.MinCount || a.DesiredCount > as.MaxCount {
		add("DesiredCount (spicedb.desiredCount) %d must lie within autoscaling min %d and max %d", a.DesiredCount, as.MinCount, as.MaxCount)
	}
	if as.TargetCPUPercent < 1 || as.TargetCPUPercent > 100 {
		add("Autoscaling.TargetCPUPercent (autoscaling.targetCpuPercent) must be 1..100, got %d", as.TargetCPUPercent)
	}
	if p := a.LoadBalancer.ListenerPort; p < 1 || p > 65535 {
		add("LoadBalancer.ListenerPort (loadBalancer.listenerPort) must be 1..65535, got %d", p)
	}
	if d := a.LoadBalancer.DeregistrationDelaySeconds; d < 0 || d > 3600 {
		add("LoadBalancer.DeregistrationDelaySeconds (loadBalancer.deregistrationDelaySeconds) must be 0..3600, got %d", d)
	}
	if _, err := parseAllowedCidrs(a.LoadBalancer.AllowedCidrs); err != nil {
		add("LoadBalancer.AllowedCidrs (loadBalancer.allowedCidrs): %v", err)
	}
	if _, err := certificateModeOf(a.TLS); err != nil {
		add("TLS (tls.*): %v", err)
	}
	if a.MigrationGate != MigrationGateECSTask && a.MigrationGate != MigrationGateNone {
		add("MigrationGate (migrations.gate) %q: accepted %q or %q", a.MigrationGate, MigrationGateECSTask, MigrationGateNone)
	}
	if a.MigrationTimeout < time.Minute {
		add("MigrationTimeout (migrations.timeoutMinutes) must be at least 1m, got %s", a.MigrationTimeout)
	}
	if a.LogRetentionDays < 1 {
		add("LogRetentionDays (logs.retentionDays) must be positive, got %d", a.LogRetentionDays)
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("service: invalid arguments: %w", errors.Join(problems...))
}

// privateCAMode reports whether the edge issues its own CA and certificate,
// which clients must then be given to verify the endpoint.
func (a Args) privateCAMode() bool {
	mode, err := certificateModeOf(a.TLS)
	return err == nil && mode == certificatePrivateCA
}
