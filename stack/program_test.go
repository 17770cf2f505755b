package stack

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/spicedb-ecs/spicedb-ecs/internal/componenttest"
	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
)

// runStack runs the whole program as a stack under mocks; secretOverrides
// arrive as secret config, as `pulumi config set --secret` would make them.
func runStack(t *testing.T, stackName string, overrides, secretOverrides map[string]string) (*pulumimock.Mocks, map[string]internals.UnsafeAwaitOutputResult, error) {
	t.Helper()
	all := fullKeys(overrides)
	secrets := fullKeys(secretOverrides)
	for k, v := range secrets {
		all[k] = v
	}
	opts, err := pulumimock.StackOptions(repoRoot, stackName, all)
	if err != nil {
		t.Fatal(err)
	}
	for k := range secrets {
		opts.SecretKeys = append(opts.SecretKeys, k)
	}
	var exports map[string]pulumi.Output
	m, err := pulumimock.Run(func(ctx *pulumi.Context) error {
		d, err := Build(ctx)
		if err != nil {
			return err
		}
		// What Program exports, kept to be awaited after the run.
		exports = map[string]pulumi.Output{}
		for name, v := range d.Outputs {
			exports[name] = pulumi.ToOutput(v)
		}
		return nil
	}, opts)
	if err != nil {
		return m, nil, err
	}
	resolved := map[string]internals.UnsafeAwaitOutputResult{}
	for name, out := range exports {
		r, err := internals.UnsafeAwaitOutput(t.Context(), out)
		if err != nil {
			t.Fatalf("output %s: %v", name, err)
		}
		resolved[name] = r
	}
	return m, resolved, nil
}

func mustRun(t *testing.T, stackName string, overrides map[string]string) (*pulumimock.Mocks, map[string]internals.UnsafeAwaitOutputResult) {
	t.Helper()
	m, out, err := runStack(t, stackName, overrides, nil)
	if err != nil {
		t.Fatalf("%s: %v", stackName, err)
	}
	return m, out
}

func one(t *testing.T, m *pulumimock.Mocks, typ string) map[string]any {
	t.Helper()
	r, err := m.One(typ)
	if err != nil {
		t.Fatal(err)
	}
	return pulumimock.PlainMap(r.Inputs)
}

// TestEnvironmentsDiffer: dev and prod compose end to end and differ where
// the stack files say, and only there.
func TestEnvironmentsDiffer(t *testing.T) {
	type want struct {
		zones                               float64
		nat                                 string
		multiAz, deletionProtection, skipFS bool
		backups                             float64
		instanceClass, cpu, memory          string
		minCount, maxCount                  float64
	}
	for stackName, w := range map[string]want{
		"dev":  {2, "Single", false, false, true, 1, "db.t4g.micro", "512", "1024", 1, 2},
		"prod": {3, "OnePerAz", true, true, false, 14, "db.m7g.large", "1024", "2048", 3, 9},
	} {
		t.Run(stackName, func(t *testing.T) {
			m, _ := mustRun(t, stackName, nil)
			vpc := one(t, m, "awsx:ec2:Vpc")
			if vpc["numberOfAvailabilityZones"] != w.zones || vpc["natGateways"].(map[string]any)["strategy"] != w.nat {
				t.Errorf("vpc: zones %v nat %v", vpc["numberOfAvailabilityZones"], vpc["natGateways"])
			}
			db := one(t, m, "aws:rds/instance:Instance")
			if db["multiAz"] != w.multiAz || db["deletionProtection"] != w.deletionProtection || db["skipFinalSnapshot"] != w.skipFS ||
				db["backupRetentionPeriod"] != w.backups || db["instanceClass"] != w.instanceClass {
				t.Errorf("rds: multiAz %v deletionProtection %v skipFinalSnapshot %v backups %v class %v",
					db["multiAz"], db["deletionProtection"], db["skipFinalSnapshot"], db["backupRetentionPeriod"], db["instanceClass"])
			}
			if _, has := db["finalSnapshotIdentifier"]; has == w.skipFS {
				t.Errorf("rds: finalSnapshotIdentifier present=%v with skipFinalSnapshot=%v", has, w.skipFS)
			}
			serve, ok := m.Named("aws:ecs/taskDefinition:TaskDefinition", "spicedb-serve")
			if !ok {
				t.Fatal("no serve task definition named spicedb-serve")
			}
			in := pulumimock.PlainMap(serve.Inputs)
			if in["cpu"] != w.cpu || in["memory"] != w.memory {
				t.Errorf("serve task: cpu %v memory %v", in["cpu"], in["memory"])
			}
			scaling := one(t, m, "aws:appautoscaling/target:Target")
			if scaling["minCapacity"] != w.minCount || scaling["maxCapacity"] != w.maxCount {
				t.Errorf("autoscaling: %v..%v", scaling["minCapacity"], scaling["maxCapacity"])
			}
		})
	}
}

// TestGraphHygiene: every resource hangs under one of the three components,
// which hang under the stack; every taggable resource carries the tags.
func TestGraphHygiene(t *testing.T) {
	for _, stackName := range []string{"dev", "prod"} {
		t.Run(stackName, func(t *testing.T) {
			m, _ := mustRun(t, stackName, nil)
			components := map[string]bool{}
			for _, typ := range []string{"spicedb-ecs:network:Network", "spicedb-ecs:database:Database", "spicedb-ecs:service:Service"} {
				c := componenttest.Component(t, m, typ)
				if c.Parent != "" && !strings.HasSuffix(c.Parent, "pulumi:pulumi:Stack::spicedb-ecs-"+stackName) {
					t.Errorf("%s parent %q, want the stack", typ, c.Parent)
				}
				components[c.URN] = true
			}
			for _, r := range m.Resources() {
				if components[r.URN] || strings.HasPrefix(r.Type, "pulumi:providers:") {
					continue
				}
				top := r
				for top.Parent != "" && !components[top.Parent] {
					parent, ok := m.ByURN(top.Parent)
					if !ok {
						break
					}
					top = parent
				}
				if !components[top.Parent] {
					t.Errorf("%s %q is not inside a component", r.Type, r.Name)
				}
			}
			componenttest.AssertTagged(t, m, map[string]string{
				"project": "spicedb-ecs", "stack": stackName, "managed-by": "pulumi", "environment": stackName,
			})
		})
	}
}

// TestSecretsStaySecret: the generated key and password, the extra keys
// from secret config, and the datastore URI never appear in plaintext in any
// resource input or output, nor in any stack output; the key is exported only
// as a secret.
func TestSecretsStaySecret(t *testing.T) {
	extraKeys := "rotation-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,rotation-key-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	m, outputs, err := runStack(t, "dev", nil, map[string]string{"additionalPresharedKeys": extraKeys})
	if err != nil {
		t.Fatal(err)
	}
	secrets := strings.Split(extraKeys, ",")
	for _, r := range m.OfType("random:index/randomPassword:RandomPassword") {
		result := r.Outputs["result"]
		if !result.IsSecret() {
			t.Errorf("%s result is not a secret", r.Name)
		}
		secrets = append(secrets, pulumimock.Plain(result).(string))
	}
	if len(secrets) != 4 {
		t.Fatalf("want 2 generated secrets + 2 extra keys, got %d", len(secrets))
	}
	for _, v := range m.OfType("aws:secretsmanager/secretVersion:SecretVersion") {
		if !v.Inputs["secretString"].IsSecret() {
			t.Errorf("secret version %s: secretString is not a Pulumi secret", v.Name)
		}
		secrets = append(secrets, pulumimock.Plain(v.Inputs["secretString"]).(string))
	}
	for _, secret := range secrets {
		if leaks := componenttest.PlaintextLeaks(t, m, secret); len(leaks) > 0 {
			t.Errorf("a secret appears in plaintext at %v", leaks)
		}
		for name, out := range outputs {
			if !out.Secret && strings.Contains(outputText(t, out.Value), secret) {
				t.Errorf("stack output %s carries a secret in plaintext", name)
			}
		}
	}
	if !outputs["presharedKey"].Secret {
		t.Error("presharedKey output is not a secret")
	}
	for name, out := range outputs {
		if out.Secret && name != "presharedKey" {
			t.Errorf("output %s is secret; only presharedKey should be", name)
		}
	}
}

// outputText renders an output value of any shape for a substring search.
func outputText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOutputs: every documented output is exported and known.
func TestOutputs(t *testing.T) {
	_, outputs := mustRun(t, "dev", nil)
	want := []string{"endpoint", "caCertificate", "presharedKey", "presharedKeySecretArn", "datastoreSecretArn",
		"databaseEndpoint", "clusterName", "clusterArn", "serviceName", "logGroup", "migrationTaskDefinitionArn",
		"taskSubnetIds", "taskSecurityGroupId", "migrationCommand", "zedContextCommand", "vpcId"}
	if len(outputs) != len(want) {
		t.Errorf("%d outputs, want %d", len(outputs), len(want))
	}
	for _, name := range want {
		out, ok := outputs[name]
		if !ok || !out.Known || out.Value == nil || out.Value == "" {
			t.Errorf("output %s missing or empty: %+v", name, ok)
		}
	}
	if cmd := outputs["zedContextCommand"].Value.(string); !strings.Contains(cmd, `"$SPICEDB_KEY"`) || !strings.Contains(cmd, "--certificate-path") {
		t.Errorf("zed command %q must leave the key to $SPICEDB_KEY and verify the private CA", cmd)
	}
	if cmd := outputs["migrationCommand"].Value.(string); !strings.Contains(cmd, "aws ecs run-task") || !strings.Contains(cmd, "assignPublicIp=DISABLED") {
		t.Errorf("migration command %q", cmd)
	}
}

// TestExistingVpc: adopting a VPC creates no network resources and wires the
// given subnets: public ones to the NLB, private ones to tasks and database.
func TestExistingVpc(t *testing.T) {
	private := []string{"subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"}
	public := []string{"subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"}
	network := `{"vpcId":"vpc-0123456789abcdef0","natGateways":"none","privateSubnetIds":["` + strings.Join(private, `","`) +
		`"],"publicSubnetIds":["` + strings.Join(public, `","`) + `"]}`
	m, outputs := mustRun(t, "dev", map[string]string{"network": network})
	for _, r := range m.Resources() {
		if r.Type == "awsx:ec2:Vpc" || strings.HasPrefix(r.Type, "aws:ec2/vpc:") || strings.HasPrefix(r.Type, "aws:ec2/subnet:") {
			t.Errorf("existing-VPC mode created %s %q", r.Type, r.Name)
		}
	}
	if outputs["vpcId"].Value != "vpc-0123456789abcdef0" {
		t.Errorf("vpcId output %v", outputs["vpcId"].Value)
	}
	if got := one(t, m, "aws:lb/loadBalancer:LoadBalancer")["subnets"]; !sameStrings(got, public) {
		t.Errorf("NLB subnets %v, want the public ones", got)
	}
	if got := one(t, m, "aws:rds/subnetGroup:SubnetGroup")["subnetIds"]; !sameStrings(got, private) {
		t.Errorf("DB subnet group %v, want the private ones", got)
	}
	svc := one(t, m, "aws:ecs/service:Service")
	if got := svc["networkConfiguration"].(map[string]any)["subnets"]; !sameStrings(got, private) {
		t.Errorf("tasks in %v, want the private subnets", got)
	}
}

func sameStrings(got any, want []string) bool {
	list, ok := got.([]any)
	if !ok || len(list) != len(want) {
		return false
	}
	for i := range want {
		if list[i] != want[i] {
			return false
		}
	}
	return true
}

// TestInvalidConfigRegistersNothing: a bad stack fails before any resource.
func TestInvalidConfigRegistersNothing(t *testing.T) {
	m, _, err := runStack(t, "dev", map[string]string{"network": `{"vpcCidr":"10.0.0.0/8"}`, "spicedb": `{"cpu":256,"memoryMiB":4096}`}, nil)
	var invalid *InvalidConfigError
	if !errors.As(err, &invalid) || len(invalid.Problems) != 2 {
		t.Fatalf("want both problems reported, got %v", err)
	}
	if n := len(m.Resources()); n != 0 {
		t.Errorf("%d resources registered despite invalid config", n)
	}
}
