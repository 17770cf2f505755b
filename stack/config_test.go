package stack

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
)

const repoRoot = ".."

// configDecl is one key's declaration in Pulumi.yaml.
type configDecl struct {
	Type        string `yaml:"type"`
	Description string `yaml:"description"`
	Default     any    `yaml:"default"`
}

// projectConfig reads the config declarations of Pulumi.yaml.
func projectConfig(t *testing.T) map[string]configDecl {
	t.Helper()
	var project struct {
		Config map[string]configDecl `yaml:"config"`
	}
	data, err := os.ReadFile(repoRoot + "/Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &project); err != nil {
		t.Fatal(err)
	}
	return project.Config
}

// loadStack loads the configuration of a stack file with overrides (short
// project keys or full keys), the way the engine hands it to the program.
func loadStack(t *testing.T, stackName string, overrides map[string]string) (Config, error) {
	t.Helper()
	opts, err := pulumimock.StackOptions(repoRoot, stackName, fullKeys(overrides))
	if err != nil {
		t.Fatal(err)
	}
	if _, set := overrides["additionalPresharedKeys"]; set {
		opts.SecretKeys = []string{"spicedb-ecs:additionalPresharedKeys"}
	}
	return loadWith(t, opts)
}

func loadWith(t *testing.T, opts pulumimock.Options) (Config, error) {
	t.Helper()
	var cfg Config
	var loadErr error
	_, err := pulumimock.Run(func(ctx *pulumi.Context) error {
		cfg, loadErr = Load(ctx)
		return nil
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, loadErr
}

// fullKeys qualifies short project keys with the project name.
func fullKeys(overrides map[string]string) map[string]string {
	full := map[string]string{}
	for k, v := range overrides {
		if !strings.Contains(k, ":") {
			k = "spicedb-ecs:" + k
		}
		full[k] = v
	}
	return full
}

func TestStackFilesLoad(t *testing.T) {
	dev := Defaults()
	dev.Tags = map[string]string{"environment": "dev"}
	dev.Database.DeletionProtection = false
	dev.Database.BackupRetentionDays = 1
	dev.Database.PerformanceInsights = false
	dev.Autoscaling.MinCount, dev.Autoscaling.MaxCount = 1, 2
	dev.SpiceDB.DesiredCount = 1
	dev.Logs.RetentionDays = 7

	prod := Defaults()
	prod.Tags = map[string]string{"environment": "prod"}
	prod.Network.AvailabilityZones = 3
	prod.Network.NatGateways = "onePerAz"
	prod.Database = DatabaseConfig{
		InstanceClass: "db.m7g.large", AllocatedStorageGiB: 50, MaxAllocatedStorageGiB: 500,
		PostgresVersion: 17, MultiAz: true, DeletionProtection: true, BackupRetentionDays: 14,
		PerformanceInsights: true,
	}
	prod.SpiceDB.DesiredCount, prod.SpiceDB.CPU, prod.SpiceDB.MemoryMiB = 3, 1024, 2048
	prod.Autoscaling.MinCount, prod.Autoscaling.MaxCount = 3, 9
	prod.Logs.RetentionDays = 90

	for name, want := range map[string]Config{"dev": dev, "prod": prod} {
		t.Run(name, func(t *testing.T) {
			got, err := loadStack(t, name, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got.AWSRegion != "us-east-1" {
				t.Errorf("aws:region = %q", got.AWSRegion)
			}
			got.AdditionalPresharedKeys, got.AWSRegion, got.AWSProfile = want.AdditionalPresharedKeys, "", ""
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Pulumi.%s.yaml loads as\n%+v\nwant\n%+v", name, got, want)
			}
		})
	}
}

// TestNestedOverrideKeepsSiblingDefaults is why Defaults exists: setting one
// field of an object key must not drop the defaults of the others.
func TestNestedOverrideKeepsSiblingDefaults(t *testing.T) {
	got, err := loadStack(t, "dev", map[string]string{"loadBalancer": `{"listenerPort":"8443","internal":"true"}`})
	if err != nil {
		t.Fatal(err)
	}
	want := Defaults().LoadBalancer
	want.ListenerPort, want.Internal = 8443, true
	if !reflect.DeepEqual(got.LoadBalancer, want) {
		t.Errorf("loadBalancer = %+v, want %+v", got.LoadBalancer, want)
	}
}

// TestDispatchDefaultsOffAndCanBeTurnedOn: both stack files set other
// spicedb fields, which must not drop dispatch's default; a stack can turn
// it on or off, also when the stack file quotes the boolean.
func TestDispatchDefaultsOffAndCanBeTurnedOn(t *testing.T) {
	cases := []struct {
		stack     string
		overrides map[string]string
		want      bool
	}{
		{"dev", nil, false},
		{"prod", nil, false},
		{"dev", map[string]string{"spicedb": `{"desiredCount":1,"dispatch":true}`}, true},
		{"prod", map[string]string{"spicedb": `{"desiredCount":3,"dispatch":"true"}`}, true},
		{"dev", map[string]string{"spicedb": `{"dispatch":false}`}, false},
	}
	for _, tc := range cases {
		got, err := loadStack(t, tc.stack, tc.overrides)
		if err != nil {
			t.Fatalf("%s %v: %v", tc.stack, tc.overrides, err)
		}
		if got.SpiceDB.Dispatch != tc.want {
			t.Errorf("%s %v: spicedb.dispatch = %v, want %v", tc.stack, tc.overrides, got.SpiceDB.Dispatch, tc.want)
		}
	}
}

func TestInvalidConfig(t *testing.T) {
	cases := []struct {
		name      string
		overrides map[string]string
		want      []string
	}{
		{"cidr not a cidr", map[string]string{"network": `{"vpcCidr":"10.0.0.0"}`},
			[]string{`network.vpcCidr: "10.0.0.0" is not usable; accepted: an IPv4 network address with a prefix length from /16 to /24, e.g. 10.0.0.0/16`}},
		{"cidr too small", map[string]string{"network": `{"vpcCidr":"10.0.0.0/28"}`},
			[]string{`network.vpcCidr: "10.0.0.0/28" is not usable; accepted: an IPv4 network address with a prefix length from /16 to /24, e.g. 10.0.0.0/16`}},
		{"cidr host bits", map[string]string{"network": `{"vpcCidr":"10.0.0.1/16"}`},
			[]string{`network.vpcCidr: "10.0.0.1/16" is not usable; accepted: an IPv4 network address with a prefix length from /16 to /24, e.g. 10.0.0.0/16`}},
		{"one az", map[string]string{"network": `{"availabilityZones":1}`},
			[]string{`network.availabilityZones: 1 is out of range; accepted: 2 to 6`}},
		{"nat typo", map[string]string{"network": `{"natGateways":"perAz"}`},
			[]string{`network.natGateways: "perAz" is not accepted; accepted: single, onePerAz, none`}},
		{"no nat no endpoints", map[string]string{"network": `{"natGateways":"none"}`},
			[]string{`network.natGateways: "none" leaves tasks without a route to ECR, Secrets Manager and CloudWatch Logs; accepted with network.vpcEndpoints: true or an existing VPC (network.vpcId)`}},
		{"existing vpc one subnet", map[string]string{"network": `{"vpcId":"vpc-0123456789abcdef0","privateSubnetIds":["subnet-0123456789abcdef0"],"publicSubnetIds":["subnet-0123456789abcdef1","subnet-0123456789abcdef2"]}`},
			[]string{`network.privateSubnetIds: 1 subnet ids given; accepted: at least 2 subnet ids in different availability zones`}},
		{"existing vpc bad ids", map[string]string{"network": `{"vpcId":"vpc-xyz","privateSubnetIds":["subnet-0123456789abcdef0","sn-1"],"publicSubnetIds":["subnet-0123456789abcdef1","subnet-0123456789abcdef2"]}`},
			[]string{`network.privateSubnetIds: "sn-1" is not a subnet id; accepted: subnet- followed by 8 to 17 hex digits`, `network.vpcId: "vpc-xyz" is not a VPC id; accepted: vpc- followed by 8 to 17 hex digits`}},
		{"subnets without vpc", map[string]string{"network": `{"privateSubnetIds":["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]}`},
			[]string{`network.vpcId: required when network.privateSubnetIds or network.publicSubnetIds are set; accepted: an id like vpc-0123456789abcdef0`}},
		{"unknown field", map[string]string{"network": `{"vpcCidrs":"10.0.0.0/16"}`},
			[]string{`network: not a valid object for this key: unknown field "vpcCidrs"`}},
		{"instance class", map[string]string{"database": `{"instanceClass":"t4g.micro"}`},
			[]string{`database.instanceClass: "t4g.micro" is not an RDS instance class; accepted: db.<family>.<size>, e.g. db.t4g.micro`}},
		{"storage too small and max below allocated", map[string]string{"database": `{"allocatedStorageGiB":10,"maxAllocatedStorageGiB":5}`},
			[]string{`database.allocatedStorageGiB: 10 is out of range; accepted: 20 to 65536 (GiB, gp3)`, `database.maxAllocatedStorageGiB: 5 is out of range; accepted: database.allocatedStorageGiB (10) to 65536`}},
		{"postgres 13", map[string]string{"database": `{"postgresVersion":13}`},
			[]string{`database.postgresVersion: 13 is not supported; accepted: 14, 15, 16, 17 (SpiceDB needs PostgreSQL 14 or newer)`}},
		{"backups 36", map[string]string{"database": `{"backupRetentionDays":36}`},
			[]string{`database.backupRetentionDays: 36 is out of range; accepted: 0 to 35 days`}},
		{"no backups while protected", map[string]string{"database": `{"backupRetentionDays":0,"deletionProtection":true}`},
			[]string{`database.backupRetentionDays: 0 turns backups off, which a deletion-protected database must not do; accepted: 1 to 35, or 0 with database.deletionProtection: false`}},
		{"kms not an arn", map[string]string{"database": `{"kmsKeyArn":"alias/mine"}`},
			[]string{`database.kmsKeyArn: "alias/mine" is not a KMS key ARN; accepted: arn:aws:kms:<region>:<account>:key/<id>, or empty for the AWS-managed key`}},
		{"wrong type", map[string]string{"database": `{"multiAz":"yes"}`},
			[]string{`database: not a valid object for this key: cannot unmarshal string into Go struct field DatabaseConfig.multiAz of type bool`}},
		{"fargate size", map[string]string{"spicedb": `{"cpu":512,"memoryMiB":512}`},
			[]string{`spicedb.cpu/spicedb.memoryMiB: cpu 512 with memory 512 MiB is not a Fargate size; cpu 512 accepts 1024 to 4096 MiB in steps of 1024`}},
		{"fargate cpu", map[string]string{"spicedb": `{"cpu":300}`},
			[]string{`spicedb.cpu/spicedb.memoryMiB: cpu 300 is not a Fargate size; accepted: 256, 512, 1024, 2048, 4096, 8192, 16384`}},
		{"dispatch not a bool", map[string]string{"spicedb": `{"dispatch":"yes"}`},
			[]string{`spicedb: not a valid object for this key: cannot unmarshal string into Go struct field SpiceDBConfig.dispatch of type bool`}},
		{"architecture", map[string]string{"spicedb": `{"architecture":"amd64"}`},
			[]string{`spicedb.architecture: "amd64" is not accepted; accepted: arm64, x86_64`}},
		{"version", map[string]string{"spicedb": `{"version":"latest"}`},
			[]string{`spicedb.version: "latest" is not a release tag; accepted: vMAJOR.MINOR.PATCH, e.g. v1.56.2`}},
		{"desired outside autoscaling", map[string]string{"spicedb": `{"desiredCount":5}`},
			[]string{`spicedb.desiredCount: 5 is outside autoscaling.minCount..maxCount (1..2); accepted: a count in that range`}},
		{"image without tag", map[string]string{"image": `{"uri":"authzed/spicedb"}`},
			[]string{`image.uri: "authzed/spicedb" is not an image reference with an explicit tag or digest; accepted: e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/spicedb:v1.56.2 or ...@sha256:<64 hex>`}},
		{"2016 tls policy", map[string]string{"loadBalancer": `{"sslPolicy":"ELBSecurityPolicy-2016-08"}`},
			[]string{`loadBalancer.sslPolicy: "ELBSecurityPolicy-2016-08" is not accepted; accepted: ` + strings.Join(SslPolicies, ", ")}},
		{"no deregistration delay", map[string]string{"loadBalancer": `{"deregistrationDelaySeconds":0}`},
			[]string{`loadBalancer.deregistrationDelaySeconds: 0 is out of range; accepted: 1 to 3600`}},
		{"allowed cidr", map[string]string{"loadBalancer": `{"allowedCidrs":["0.0.0.0"]}`},
			[]string{`loadBalancer.allowedCidrs: "0.0.0.0" is not an IPv4 CIDR; accepted: network addresses like 203.0.113.0/24 or 0.0.0.0/0`}},
		{"tls both modes", map[string]string{"tls": `{"certificateArn":"arn:aws:acm:us-east-1:123456789012:certificate/abc","domainName":"spicedb.example.com","hostedZoneId":"Z0123456789ABC"}`},
			[]string{`tls.certificateArn: set together with tls.domainName/tls.hostedZoneId; accepted: either a certificate ARN, or a domain name with its hosted zone, or neither (private CA)`}},
		{"tls domain without zone", map[string]string{"tls": `{"domainName":"spicedb.example.com"}`},
			[]string{`tls.domainName/tls.hostedZoneId: only one of the two is set; accepted: both (ACM certificate validated in that Route 53 zone) or neither`}},
		{"gate", map[string]string{"migrations": `{"gate":"initContainer"}`},
			[]string{`migrations.gate: "initContainer" is not accepted; accepted: ecsTask, none`}},
		{"log retention", map[string]string{"logs": `{"retentionDays":10}`},
			[]string{`logs.retentionDays: 10 is not a CloudWatch retention; accepted: ` + joinInts(LogRetentionDays)}},
		{"aws tag", map[string]string{"tags": `{"aws:owner":"me"}`},
			[]string{`tags: key "aws:owner" is not accepted; accepted: 1 to 128 characters, not starting with aws:`}},
		{"short extra key", map[string]string{"additionalPresharedKeys": "0123456789abcdef0123456789abcdef,short"},
			[]string{`additionalPresharedKeys: entry 2 is 5 characters long; accepted: comma-separated keys of at least 32 characters`}},
		{"no region", map[string]string{"aws:region": ""},
			[]string{"aws:region: required; set it with `pulumi config set aws:region <region>` (e.g. us-east-1)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadStack(t, "dev", tc.overrides)
			var invalid *InvalidConfigError
			if !errors.As(err, &invalid) {
				t.Fatalf("want InvalidConfigError, got %v", err)
			}
			if !reflect.DeepEqual(invalid.Problems, tc.want) {
				t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(invalid.Problems, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

// TestAllProblemsReportedTogether: several bad keys give one error listing all.
func TestAllProblemsReportedTogether(t *testing.T) {
	_, err := loadStack(t, "dev", map[string]string{
		"network":  `{"vpcCidr":"nope","availabilityZones":9}`,
		"database": `{"postgresVersion":12}`,
		"logs":     `{"retentionDays":2}`,
	})
	var invalid *InvalidConfigError
	if !errors.As(err, &invalid) || len(invalid.Problems) != 4 {
		t.Fatalf("want 4 problems in one error, got %v", err)
	}
}

// TestPlaintextExtraKeysRefused: extra keys must arrive as a Pulumi secret.
func TestPlaintextExtraKeysRefused(t *testing.T) {
	key := strings.Repeat("k", 40)
	opts, err := pulumimock.StackOptions(repoRoot, "dev", map[string]string{"spicedb-ecs:additionalPresharedKeys": key})
	if err != nil {
		t.Fatal(err)
	}
	_, err = loadWith(t, opts)
	var invalid *InvalidConfigError
	if !errors.As(err, &invalid) || len(invalid.Problems) != 1 ||
		invalid.Problems[0] != "additionalPresharedKeys: stored in plaintext; accepted: a secret value, set with `pulumi config set --secret additionalPresharedKeys ...`" {
		t.Fatalf("want the plaintext refusal, got %v", err)
	}
	if strings.Contains(err.Error(), key) {
		t.Fatal("the error echoes the key")
	}
}

// TestSecretKeysNeverEchoed: a bad extra preshared key is described, not shown.
func TestSecretKeysNeverEchoed(t *testing.T) {
	secret := "this-is-a-secret-key-with a space-in-it"
	_, err := loadStack(t, "dev", map[string]string{"additionalPresharedKeys": secret})
	if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "additionalPresharedKeys: entry 1 contains a quote or white space") {
		t.Fatalf("error must name the key and not echo the value: %v", err)
	}
}

// TestPulumiYamlDefaultsMatchGo keeps the two sources of defaults in step:
// every object key in Pulumi.yaml has exactly the fields and defaults of Defaults().
func TestPulumiYamlDefaultsMatchGo(t *testing.T) {
	declared := projectConfig(t)
	defaults := Defaults()
	keys := defaults.objectKeys()
	for key, target := range keys {
		decl, ok := declared[key]
		if !ok {
			t.Errorf("Pulumi.yaml does not declare %q", key)
			continue
		}
		if decl.Type != "object" || decl.Description == "" {
			t.Errorf("%s: type %q, description %q; want object with a description", key, decl.Type, decl.Description)
		}
		if got, want := asJSON(t, decl.Default), asJSON(t, target); got != want {
			t.Errorf("%s: Pulumi.yaml default %s, Go default %s", key, got, want)
		}
	}
	for key, decl := range declared {
		if _, ok := keys[key]; !ok && key != "additionalPresharedKeys" {
			t.Errorf("Pulumi.yaml declares %q, which Load does not read", key)
		}
		if decl.Description == "" {
			t.Errorf("%s has no description", key)
		}
	}
}

// asJSON renders a value canonically (maps sorted, numbers alike).
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(generic)
	return string(b)
}
