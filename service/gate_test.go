package service

import (
	"slices"
	"strings"
	"testing"

	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
	"github.com/spicedb-ecs/spicedb-ecs/migration"
)

func TestMigrationGateRunsBeforeTheRollout(t *testing.T) {
	run := mustRunService(t, svcTestArgs(func(a *Args) { a.Profile = "deploy" }))
	gate := run.one(t, svcTestGateType)
	migrateTD := run.named(t, svcTestTaskDefType, "spicedb-migrate")
	migrateArn := svcOutput(migrateTD, "arn").(string)
	svc := run.one(t, "aws:ecs/service:Service")
	dbRule := run.named(t, svcTestIngressRuleType, "spicedb-tasks")

	if svcInput(gate, "create") != "go run ./cmd/spicedb-ecs migrate" {
		t.Errorf("create %q", svcInput(gate, "create"))
	}
	if dir, _ := svcInput(gate, "dir").(string); dir == "" {
		t.Error("gate runs in no directory")
	}
	triggers, _ := svcInput(gate, "triggers").([]any)
	if !slices.Contains(triggers, any(migrateArn)) {
		t.Errorf("triggers %v, want the migration task definition ARN %s", triggers, migrateArn)
	}
	if !slices.Contains(svc.DependsOn, gate.URN) {
		t.Errorf("ECS service does not depend on the gate; depends on %v", svc.DependsOn)
	}
	for _, r := range []struct{ what, urn string }{
		{"listener", run.one(t, "aws:lb/listener:Listener").URN},
		{"database access rule", dbRule.URN},
	} {
		if !slices.Contains(svc.DependsOn, r.urn) {
			t.Errorf("ECS service does not depend on the %s", r.what)
		}
	}
	if !slices.Contains(gate.DependsOn, dbRule.URN) {
		t.Error("gate does not wait for the database to admit the tasks")
	}

	env, _ := svcInput(gate, "environment").(map[string]any)
	cluster := run.one(t, "aws:ecs/cluster:Cluster")
	want := map[string]any{
		migration.EnvCluster:         svcOutput(cluster, "name"),
		migration.EnvTaskDefinition:  migrateArn,
		migration.EnvSubnets:         "subnet-0prv0" + migration.ListSeparator + "subnet-0prv1",
		migration.EnvSecurityGroups:  run.named(t, "aws:ec2/securityGroup:SecurityGroup", "spicedb-tasks-sg").ID,
		migration.EnvContainer:       "spicedb-migrate",
		migration.EnvLogGroup:        svcOutput(run.one(t, "aws:cloudwatch/logGroup:LogGroup"), "name"),
		migration.EnvLogStreamPrefix: "migrate",
		migration.EnvTimeout:         "30m0s",
		"AWS_REGION":                 "us-east-1",
		"AWS_PROFILE":                "deploy",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("gate environment %s = %v, want %v", k, env[k], v)
		}
	}
	if len(env) != len(want) {
		t.Errorf("gate environment has %d entries, want %d: %v", len(env), len(want), env)
	}
	// The migration container and stream prefix the gate names are the ones
	// the task definition really uses.
	_, defs := run.containerDefinitions(t, "spicedb-migrate")
	if defs[0].Name != env[migration.EnvContainer] || defs[0].LogConfiguration.Options["awslogs-stream-prefix"] != env[migration.EnvLogStreamPrefix] {
		t.Errorf("gate names container %v/prefix %v, task definition has %s/%s", env[migration.EnvContainer],
			env[migration.EnvLogStreamPrefix], defs[0].Name, defs[0].LogConfiguration.Options["awslogs-stream-prefix"])
	}
}

func TestMigrationGateOmitsProfileWhenUnset(t *testing.T) {
	run := mustRunService(t, svcTestArgs(nil))
	env, _ := svcInput(run.one(t, svcTestGateType), "environment").(map[string]any)
	if _, ok := env["AWS_PROFILE"]; ok {
		t.Errorf("AWS_PROFILE set to %v without a profile", env["AWS_PROFILE"])
	}
}

func TestMigrationGateNone(t *testing.T) {
	run := mustRunService(t, svcTestArgs(func(a *Args) { a.MigrationGate = MigrationGateNone }))
	if gates := run.mocks.OfType(svcTestGateType); len(gates) != 0 {
		t.Fatalf("gate none still registers %d commands", len(gates))
	}
	svc := run.one(t, "aws:ecs/service:Service")
	if !slices.Contains(svc.DependsOn, run.named(t, svcTestIngressRuleType, "spicedb-tasks").URN) {
		t.Error("without a gate the service must still wait for database access")
	}
	if _, ok := run.mocks.Named(svcTestTaskDefType, "spicedb-migrate"); !ok {
		t.Error("the migration task definition is still needed to migrate by hand")
	}
}

func TestManualMigrationCommand(t *testing.T) {
	run := mustRunService(t, svcTestArgs(func(a *Args) { a.Profile = "deploy" }))
	cmd := run.outputs["migrationCommand"]
	sg := run.named(t, "aws:ec2/securityGroup:SecurityGroup", "spicedb-tasks-sg").ID
	for _, part := range []string{
		"aws ecs run-task ",
		"--cluster " + svcOutput(run.one(t, "aws:ecs/cluster:Cluster"), "name").(string) + " ",
		"--task-definition " + run.outputs["migrationTaskDefinitionArn"] + " ",
		"--launch-type FARGATE",
		"'awsvpcConfiguration={subnets=[subnet-0prv0,subnet-0prv1],securityGroups=[" + sg + "],assignPublicIp=DISABLED}'",
		"--region us-east-1",
		"--profile deploy",
	} {
		if !strings.Contains(cmd, part) {
			t.Errorf("migration command lacks %q:\n%s", part, cmd)
		}
	}
}

func TestZedContextCommand(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tls    TLSArgs
		caFlag bool
	}{
		{"private CA", TLSArgs{}, true},
		{"certificate ARN", TLSArgs{CertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := mustRunService(t, svcTestArgs(func(a *Args) { a.TLS = tc.tls }))
			cmd := run.outputs["zedContextCommand"]
			want := `zed context set test ` + run.outputs["endpoint"] + ` "$SPICEDB_KEY"`
			if tc.caFlag {
				want += " --certificate-path ca.pem"
			}
			if cmd != want {
				t.Errorf("got  %s\nwant %s", cmd, want)
			}
		})
	}
}

// TestRegionFallsBackToTheProvider: without Args.Region the provider's
// region (getRegion) is what the logs and the gate use.
func TestRegionFallsBackToTheProvider(t *testing.T) {
	run := mustRunService(t, svcTestArgs(func(a *Args) { a.Region = "" }))
	if !slices.Contains(run.mocks.Invokes(), "aws:index/getRegion:getRegion") {
		t.Fatal("region not looked up")
	}
	env, _ := svcInput(run.one(t, svcTestGateType), "environment").(map[string]any)
	_, defs := run.containerDefinitions(t, "spicedb-serve")
	if env["AWS_REGION"] != "us-east-1" || defs[0].LogConfiguration.Options["awslogs-region"] != "us-east-1" {
		t.Errorf("gate region %v, awslogs region %q", env["AWS_REGION"], defs[0].LogConfiguration.Options["awslogs-region"])
	}
}

// TestTaskDefinitionsWaitForTheExecutionGrants: the first migration task
// starts right after its task definition exists; ECS must by then be allowed
// to read the secrets it injects, through the task definition's own role.
func TestTaskDefinitionsWaitForTheExecutionGrants(t *testing.T) {
	run := mustRunService(t, svcTestArgs(nil))
	for _, taskDef := range []string{"spicedb-serve", "spicedb-migrate"} {
		td := run.named(t, svcTestTaskDefType, taskDef)
		for _, grant := range []pulumimock.Resource{
			run.named(t, "aws:iam/rolePolicy:RolePolicy", taskDef+"-execution-secrets"),
			run.named(t, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", taskDef+"-execution-managed"),
		} {
			if !slices.Contains(td.DependsOn, grant.URN) {
				t.Errorf("task definition %s does not wait for %s", taskDef, grant.Name)
			}
		}
	}
}
