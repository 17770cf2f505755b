package service

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
)

const (
	svcTestName         = "spicedb"
	svcTestDatastoreArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:spicedb-datastore-uri-XyZ123"
	// svcTestDatastoreVersion stands for the datastore URI SecretVersion's
	// VersionId (a UUID that Secrets Manager issues per value).
	svcTestDatastoreVersion  = "datastore-uri-version-1"
	svcTestDatabaseSG        = "sg-0database0000001"
	svcTestAdditionalKey     = "RotatedKeyFromConfig0123456789abcdefXYZ"
	svcTestTaskDefType       = "aws:ecs/taskDefinition:TaskDefinition"
	svcTestSecretVersionType = "aws:secretsmanager/secretVersion:SecretVersion"
	svcTestGateType          = "command:local:Command"
	svcTestIngressRuleType   = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	svcTestEgressRuleType    = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	svcTestComponentType     = "spicedb-ecs:service:Service"
)

var svcTestTags = map[string]string{"project": "spicedb-ecs", "stack": "test", "managed-by": "pulumi"}

// fakeDatastore stands in for database.Database: AllowFrom registers the
// ingress rule on the database security group, tagged with the stack's
// tags, as the real one does.
type fakeDatastore struct{}

func (fakeDatastore) AllowFrom(ctx *pulumi.Context, name string, client pulumi.IDInput) (pulumi.Resource, error) {
	return vpc.NewSecurityGroupIngressRule(ctx, name, &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId:           pulumi.String(svcTestDatabaseSG),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  pulumi.Int(postgresPort),
		ToPort:                    pulumi.Int(postgresPort),
		ReferencedSecurityGroupId: client.ToIDOutput().ToStringOutput(),
		Tags:                      pulumi.ToStringMap(svcTestTags),
	})
}

// svcTestArgs are valid Args as the stack passes them; mutate adjusts them.
func svcTestArgs(mutate func(*Args)) *Args {
	args := &Args{
		VpcID:                       pulumi.String("vpc-0test"),
		VpcCidr:                     pulumi.String("10.0.0.0/16"),
		PublicSubnetIDs:             pulumi.ToStringArray([]string{"subnet-0pub0", "subnet-0pub1"}),
		PrivateSubnetIDs:            pulumi.ToStringArray([]string{"subnet-0prv0", "subnet-0prv1"}),
		Datastore:                   fakeDatastore{},
		DatabaseSecurityGroupID:     pulumi.ID(svcTestDatabaseSG),
		DatastoreURISecretArn:       pulumi.String(svcTestDatastoreArn),
		DatastoreURISecretVersionID: pulumi.String(svcTestDatastoreVersion),
		Region:                      "us-east-1",
		Tags:                        maps.Clone(svcTestTags),
	}
	if mutate != nil {
		mutate(args)
	}
	return args
}

// svcRun is one mock deployment of the Service and its resolved outputs.
type svcRun struct {
	mocks *pulumimock.Mocks
	// outputs are the Service's string outputs by name; secret marks those
	// that resolved as Pulumi secrets.
	outputs map[string]string
	secret  map[string]bool
}

func runService(t *testing.T, args *Args) (*svcRun, error) {
	t.Helper()
	run := &svcRun{outputs: map[string]string{}, secret: map[string]bool{}}
	mocks, err := pulumimock.Run(func(ctx *pulumi.Context) error {
		s, err := New(ctx, svcTestName, args)
		if err != nil {
			return err
		}
		for name, out := range map[string]pulumi.Output{
			"endpoint": s.Endpoint, "caCertificatePem": s.CACertificatePem, "presharedKey": s.PresharedKey,
			"presharedKeySecretArn": s.PresharedKeySecretArn, "clusterName": s.ClusterName, "clusterArn": s.ClusterArn,
			"serviceName": s.ServiceName, "logGroupName": s.LogGroupName, "serveTaskDefinitionArn": s.ServeTaskDefinitionArn,
			"migrationTaskDefinitionArn": s.MigrationTaskDefinitionArn, "taskSecurityGroupId": s.TaskSecurityGroupID,
			"migrationCommand": s.MigrationCommand, "zedContextCommand": s.ZedContextCommand,
			"taskSubnetIds": s.TaskSubnetIDs,
		} {
			res, err := internals.UnsafeAwaitOutput(ctx.Context(), out)
			if err != nil {
				return err
			}
			switch v := res.Value.(type) {
			case string:
				run.outputs[name] = v
			case pulumi.ID:
				run.outputs[name] = string(v)
			default:
				b, _ := json.Marshal(v)
				run.outputs[name] = string(b)
			}
			run.secret[name] = res.Secret
		}
		return nil
	}, pulumimock.Options{Project: "spicedb-ecs", Stack: "test", Region: "us-east-1"})
	run.mocks = mocks
	return run, err
}

func mustRunService(t *testing.T, args *Args) *svcRun {
	t.Helper()
	run, err := runService(t, args)
	if err != nil {
		t.Fatalf("service.New: %v", err)
	}
	return run
}

func (r *svcRun) one(t *testing.T, typ string) pulumimock.Resource {
	t.Helper()
	return oneOf(t, r.mocks, typ)
}

// oneOf is the single registration of typ.
func oneOf(t *testing.T, m *pulumimock.Mocks, typ string) pulumimock.Resource {
	t.Helper()
	res, err := m.One(typ)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (r *svcRun) named(t *testing.T, typ, name string) pulumimock.Resource {
	t.Helper()
	res, ok := r.mocks.Named(typ, name)
	if !ok {
		t.Fatalf("no %s named %q", typ, name)
	}
	return res
}

func svcInput(r pulumimock.Resource, key string) any {
	return pulumimock.Plain(r.Inputs[resource.PropertyKey(key)])
}

func svcOutput(r pulumimock.Resource, key string) any {
	return pulumimock.Plain(r.Outputs[resource.PropertyKey(key)])
}

// expectInputs fails t for every key of want whose recorded input of r
// differs; what names r in the message.
func expectInputs(t *testing.T, what string, r pulumimock.Resource, want map[string]any) {
	t.Helper()
	for key, w := range want {
		if got := svcInput(r, key); got != w {
			t.Errorf("%s %s = %v, want %v", what, key, got, w)
		}
	}
}

// containerDefinitions decodes the recorded container definitions of a task definition.
func (r *svcRun) containerDefinitions(t *testing.T, taskDefName string) (string, []containerDefinition) {
	t.Helper()
	td := r.named(t, svcTestTaskDefType, taskDefName)
	raw, ok := svcInput(td, "containerDefinitions").(string)
	if !ok {
		t.Fatalf("%s: containerDefinitions is %T, want a JSON string", taskDefName, svcInput(td, "containerDefinitions"))
	}
	var defs []containerDefinition
	if err := json.Unmarshal([]byte(raw), &defs); err != nil {
		t.Fatalf("%s: %v", taskDefName, err)
	}
	return raw, defs
}

// presharedKeyValue is the key the mock random provider generated.
func (r *svcRun) presharedKeyValue(t *testing.T) string {
	t.Helper()
	pw := r.one(t, "random:index/randomPassword:RandomPassword")
	key, _ := svcOutput(pw, "result").(string)
	if len(key) < 32 {
		t.Fatalf("generated key %d chars, want >= 32", len(key))
	}
	return key
}
