package stack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/spicedb-ecs/spicedb-ecs/database"
	"github.com/spicedb-ecs/spicedb-ecs/service"
)

// Config is the whole, validated configuration of one stack. Every field has
// the default that Pulumi.yaml declares (a test keeps the two in agreement):
// the engine applies Pulumi.yaml defaults only to keys a stack leaves out
// entirely, so a stack that sets one nested field would otherwise lose the
// defaults of its siblings.
type Config struct {
	Tags         map[string]string  `json:"tags"`
	Network      NetworkConfig      `json:"network"`
	Database     DatabaseConfig     `json:"database"`
	SpiceDB      SpiceDBConfig      `json:"spicedb"`
	Image        ImageConfig        `json:"image"`
	Autoscaling  AutoscalingConfig  `json:"autoscaling"`
	LoadBalancer LoadBalancerConfig `json:"loadBalancer"`
	TLS          TLSConfig          `json:"tls"`
	Migrations   MigrationsConfig   `json:"migrations"`
	Logs         LogsConfig         `json:"logs"`

	// AdditionalPresharedKeys holds extra keys (comma-separated, a Pulumi
	// secret) that SpiceDB accepts next to the generated one, for rotation.
	AdditionalPresharedKeys pulumi.StringOutput `json:"-"`
	// AWSRegion and AWSProfile are the aws provider's settings; the migration
	// gate runs outside the provider and must target the same account.
	AWSRegion  string `json:"-"`
	AWSProfile string `json:"-"`
}

// NetworkConfig is the `network` key.
type NetworkConfig struct {
	VpcCidr           string   `json:"vpcCidr"`
	AvailabilityZones int      `json:"availabilityZones"`
	NatGateways       string   `json:"natGateways"`
	VpcEndpoints      bool     `json:"vpcEndpoints"`
	VpcID             string   `json:"vpcId"`
	PublicSubnetIDs   []string `json:"publicSubnetIds"`
	PrivateSubnetIDs  []string `json:"privateSubnetIds"`
}

// ExistingVpc reports whether the stack adopts a VPC instead of creating one.
func (n NetworkConfig) ExistingVpc() bool { return n.VpcID != "" }

// DatabaseConfig is the `database` key.
type DatabaseConfig struct {
	InstanceClass          string `json:"instanceClass"`
	AllocatedStorageGiB    int    `json:"allocatedStorageGiB"`
	MaxAllocatedStorageGiB int    `json:"maxAllocatedStorageGiB"`
	PostgresVersion        int    `json:"postgresVersion"`
	MultiAz                bool   `json:"multiAz"`
	DeletionProtection     bool   `json:"deletionProtection"`
	BackupRetentionDays    int    `json:"backupRetentionDays"`
	PerformanceInsights    bool   `json:"performanceInsights"`
	KmsKeyArn              string `json:"kmsKeyArn"`
}

// SpiceDBConfig is the `spicedb` key: what runs and how big.
type SpiceDBConfig struct {
	Version      string `json:"version"`
	Architecture string `json:"architecture"`
	DesiredCount int    `json:"desiredCount"`
	CPU          int    `json:"cpu"`
	MemoryMiB    int    `json:"memoryMiB"`
	LogLevel     string `json:"logLevel"`
	// Dispatch spreads permission checks over the tasks (SpiceDB's
	// horizontal dispatch, peers found through Cloud Map DNS). Off by
	// default: the rehearsal measured checks failing for up to ~30 s after a
	// task dies, until gRPC re-resolves the peers (see README).
	Dispatch bool `json:"dispatch"`
}

// ImageConfig is the `image` key.
type ImageConfig struct {
	URI        string `json:"uri"`
	KeepImages int    `json:"keepImages"`
}

// AutoscalingConfig is the `autoscaling` key.
type AutoscalingConfig struct {
	MinCount         int `json:"minCount"`
	MaxCount         int `json:"maxCount"`
	TargetCPUPercent int `json:"targetCpuPercent"`
}

// LoadBalancerConfig is the `loadBalancer` key.
type LoadBalancerConfig struct {
	Internal                   bool     `json:"internal"`
	ListenerPort               int      `json:"listenerPort"`
	SslPolicy                  string   `json:"sslPolicy"`
	AllowedCidrs               []string `json:"allowedCidrs"`
	DeregistrationDelaySeconds int      `json:"deregistrationDelaySeconds"`
}

// TLSConfig is the `tls` key; see CertificateMode.
type TLSConfig struct {
	CertificateArn string `json:"certificateArn"`
	DomainName     string `json:"domainName"`
	HostedZoneID   string `json:"hostedZoneId"`
}

// MigrationsConfig is the `migrations` key.
type MigrationsConfig struct {
	Gate           string `json:"gate"`
	TimeoutMinutes int    `json:"timeoutMinutes"`
}

// LogsConfig is the `logs` key.
type LogsConfig struct {
	RetentionDays int `json:"retentionDays"`
}

// Accepted values of the enumerated keys.
var (
	NatGatewayStrategies = []string{"single", "onePerAz", "none"}
	Architectures        = []string{service.ArchitectureARM64, service.ArchitectureX8664}
	LogLevels            = service.LogLevels
	MigrationGates       = []string{service.MigrationGateECSTask, service.MigrationGateNone}
	// SslPolicies are the NLB TLS policies that offer TLS 1.2 or newer with
	// forward secrecy only; the 2016 policy the API defaults to is not here.
	SslPolicies = []string{
		"ELBSecurityPolicy-TLS13-1-2-2021-06",
		"ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
		"ELBSecurityPolicy-TLS13-1-3-2021-06",
		"ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
		"ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
		"ELBSecurityPolicy-FS-1-2-Res-2020-10",
	}
	// LogRetentionDays are the values CloudWatch Logs accepts.
	LogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
	// PostgresVersions are the major versions SpiceDB supports (≥14) that RDS offers.
	PostgresVersions = database.SupportedPostgresVersions
)

// Defaults returns the configuration a stack gets when it sets nothing.
func Defaults() Config {
	return Config{
		Tags: map[string]string{},
		Network: NetworkConfig{
			VpcCidr:           "10.0.0.0/16",
			AvailabilityZones: 2,
			NatGateways:       "single",
			PublicSubnetIDs:   []string{},
			PrivateSubnetIDs:  []string{},
		},
		Database: DatabaseConfig{
			InstanceClass:          "db.t4g.micro",
			AllocatedStorageGiB:    20,
			MaxAllocatedStorageGiB: 100,
			PostgresVersion:        17,
			DeletionProtection:     true,
			BackupRetentionDays:    14,
			PerformanceInsights:    true,
		},
		SpiceDB: SpiceDBConfig{
			Version:      "v1.56.2",
			Architecture: "arm64",
			DesiredCount: 2,
			CPU:          512,
			MemoryMiB:    1024,
			LogLevel:     "info",
			Dispatch:     false,
		},
		Image:        ImageConfig{KeepImages: 10},
		Autoscaling:  AutoscalingConfig{MinCount: 2, MaxCount: 4, TargetCPUPercent: 50},
		LoadBalancer: LoadBalancerConfig{ListenerPort: 443, SslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", AllowedCidrs: []string{}, DeregistrationDelaySeconds: 60},
		Migrations:   MigrationsConfig{Gate: "ecsTask", TimeoutMinutes: 30},
		Logs:         LogsConfig{RetentionDays: 30},
	}
}

// objectKeys are the project's object-typed keys, each decoded over its defaults.
func (c *Config) objectKeys() map[string]any {
	return map[string]any{
		"tags": &c.Tags, "network": &c.Network, "database": &c.Database, "spicedb": &c.SpiceDB,
		"image": &c.Image, "autoscaling": &c.Autoscaling, "loadBalancer": &c.LoadBalancer,
		"tls": &c.TLS, "migrations": &c.Migrations, "logs": &c.Logs,
	}
}

// Load reads every project key, applies defaults and validates the result.
// All problems are reported together, before any resource is registered.
func Load(ctx *pulumi.Context) (Config, error) {
	cfg := Defaults()
	var problems []string
	project := config.New(ctx, "")
	for key, target := range cfg.objectKeys() {
		if text := project.Get(key); text != "" {
			if err := decodeStrict(text, target); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", key, err))
			}
		}
	}
	// Read in plain only to validate; the value itself never enters an error.
	extraKeys := project.Get("additionalPresharedKeys")
	problems = append(problems, validatePresharedKeys(extraKeys)...)
	if extraKeys != "" && !ctx.IsConfigSecret(ctx.Project()+":additionalPresharedKeys") {
		problems = append(problems, "additionalPresharedKeys: stored in plaintext; accepted: a secret value, set with `pulumi config set --secret additionalPresharedKeys ...`")
	}
	cfg.AdditionalPresharedKeys = project.GetSecret("additionalPresharedKeys")
	aws := config.New(ctx, "aws")
	cfg.AWSRegion = aws.Get("region")
	cfg.AWSProfile = aws.Get("profile")
	if cfg.AWSRegion == "" {
		problems = append(problems, "aws:region: required; set it with `pulumi config set aws:region <region>` (e.g. us-east-1)")
	}
	problems = append(problems, cfg.Validate()...)
	if len(problems) > 0 {
		slices.Sort(problems)
		return Config{}, &InvalidConfigError{Problems: problems}
	}
	return cfg, nil
}

// InvalidConfigError lists every problem found in a stack's configuration.
type InvalidConfigError struct{ Problems []string }

func (e *InvalidConfigError) Error() string {
	return "invalid configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// decodeStrict decodes a JSON object over target's defaults, rejecting
// unknown fields so a misspelt key fails instead of silently defaulting.
func decodeStrict(text string, target any) error {
	normalized, err := coerceScalars(text, reflect.TypeOf(target).Elem())
	if err != nil {
		return fmt.Errorf("not a valid object for this key: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(normalized))
	dec.DisallowUnknownFields()
	if err := dec.Decode(target); err != nil {
		return fmt.Errorf("not a valid object for this key: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// coerceScalars turns "3" and "true" into 3 and true where the field wants a
// number or a boolean: `pulumi config set --path` stores typed values, but a
// hand-edited stack file or `--type string` may quote them.
func coerceScalars(text string, typ reflect.Type) ([]byte, error) {
	if typ.Kind() != reflect.Struct {
		return []byte(text), nil
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(text), &fields); err != nil {
		return nil, err
	}
	for i := range typ.NumField() {
		field := typ.Field(i)
		name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
		s, isString := fields[name].(string)
		if !isString {
			continue
		}
		switch field.Type.Kind() {
		case reflect.Int:
			if n, err := strconv.Atoi(s); err == nil {
				fields[name] = n
			}
		case reflect.Bool:
			if b, err := strconv.ParseBool(s); err == nil {
				fields[name] = b
			}
		}
	}
	return json.Marshal(fields)
}
