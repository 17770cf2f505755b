package fakeproviders

import (
	"context"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

const testStack = "urn:pulumi:test::proj::"

func urnOf(typ, name string) string { return testStack + typ + "::" + name }

func mustStruct(t *testing.T, m resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := marshal(m)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return s
}

func newTestCloud() *Cloud {
	return &Cloud{
		live: map[string]LiveResource{}, pendingReplace: map[string]bool{}, revisions: map[string]int{},
		generations: map[string]int{}, replaced: map[string][]LiveResource{},
	}
}

func computed() resource.PropertyValue { return resource.MakeComputed(strProp("")) }

func TestCheckRequiredInputs(t *testing.T) {
	aws := newAWS(newTestCloud())
	cases := []struct {
		name, typ  string
		news       resource.PropertyMap
		wantFailed []string
	}{
		{"rds instance needs a class, engine and storage", "aws:rds/instance:Instance",
			resource.PropertyMap{}, []string{"instanceClass", "engine", "allocatedStorage"}},
		{"rds replica inherits engine and storage", "aws:rds/instance:Instance",
			resource.PropertyMap{"instanceClass": strProp("db.t4g.micro"), "replicateSourceDb": strProp("primary")}, nil},
		{"unknown values pass during preview", "aws:rds/instance:Instance",
			resource.PropertyMap{"instanceClass": computed(), "engine": computed(), "allocatedStorage": computed()}, nil},
		{"task definition needs a JSON array", "aws:ecs/taskDefinition:TaskDefinition",
			resource.PropertyMap{"family": strProp("f"), "containerDefinitions": strProp(`{"name":"x"}`)}, []string{"containerDefinitions"}},
		{"task definition needs a family", "aws:ecs/taskDefinition:TaskDefinition",
			resource.PropertyMap{"containerDefinitions": strProp(`[]`)}, []string{"family"}},
		{"listener needs its load balancer and actions", "aws:lb/listener:Listener",
			resource.PropertyMap{"port": numProp(443)}, []string{"loadBalancerArn", "defaultActions"}},
		{"ip target group needs port, protocol, vpc", "aws:lb/targetGroup:TargetGroup",
			resource.PropertyMap{"targetType": strProp("ip")}, []string{"port", "protocol", "vpcId"}},
		{"lambda target group needs none", "aws:lb/targetGroup:TargetGroup",
			resource.PropertyMap{"targetType": strProp("lambda")}, nil},
		{"secret version needs its secret", "aws:secretsmanager/secretVersion:SecretVersion",
			resource.PropertyMap{"secretString": strProp("x")}, []string{"secretId"}},
		{"role policy must be JSON", "aws:iam/role:Role",
			resource.PropertyMap{"assumeRolePolicy": strProp("{not json")}, []string{"assumeRolePolicy"}},
		{"vpc endpoint needs its vpc and service", "aws:ec2/vpcEndpoint:VpcEndpoint",
			resource.PropertyMap{"vpcEndpointType": strProp("Interface")}, []string{"vpcId", "serviceName"}},
		{"ingress rule needs exactly one peer", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
			resource.PropertyMap{"securityGroupId": strProp("sg-1"), "ipProtocol": strProp("tcp")}, []string{"cidrIpv4"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := aws.Check(context.Background(), &pulumirpc.CheckRequest{
				Urn: urnOf(tc.typ, "r"), News: mustStruct(t, tc.news), RandomSeed: []byte("seed"),
			})
			if err != nil {
				t.Fatalf("check: %v", err)
			}
			var got []string
			for _, f := range resp.GetFailures() {
				got = append(got, f.GetProperty())
				if !strings.Contains(f.GetReason(), f.GetProperty()) {
					t.Errorf("reason %q does not name %q", f.GetReason(), f.GetProperty())
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.wantFailed, ",") {
				t.Errorf("failures = %v, want %v", got, tc.wantFailed)
			}
		})
	}
}

func TestCheckAutonamesAndKeepsOldNames(t *testing.T) {
	aws := newAWS(newTestCloud())
	urn := urnOf("aws:lb/loadBalancer:LoadBalancer", "a-very-long-load-balancer-logical-name")
	check := func(olds resource.PropertyMap) string {
		resp, err := aws.Check(context.Background(), &pulumirpc.CheckRequest{
			Urn: urn, Olds: mustStruct(t, olds), News: mustStruct(t, resource.PropertyMap{}), RandomSeed: []byte("s1"),
		})
		if err != nil {
			t.Fatalf("check: %v", err)
		}
		in, err := unmarshal(resp.GetInputs())
		if err != nil {
			t.Fatal(err)
		}
		return str(in, "name")
	}
	name := check(nil)
	if len(name) > 32 || !strings.HasPrefix(name, "a-very-long-load-balance") {
		t.Errorf("autoname %q: want a prefix of the logical name within 32 characters", name)
	}
	if got := check(resource.PropertyMap{"name": strProp("kept-abc1234")}); got != "kept-abc1234" {
		t.Errorf("autoname with olds = %q, want the old name kept", got)
	}
}

func TestDiffReplacements(t *testing.T) {
	aws := newAWS(newTestCloud())
	cmd := newCommand(newTestCloud())
	cases := []struct {
		name         string
		p            *fakeProvider
		typ          string
		olds, news   resource.PropertyMap
		wantDiffs    string
		wantReplaces string
	}{
		{"rds engine forces replacement", aws, "aws:rds/instance:Instance",
			resource.PropertyMap{"engine": strProp("postgres")}, resource.PropertyMap{"engine": strProp("mysql")}, "engine", "engine"},
		{"rds subnet group is an update", aws, "aws:rds/instance:Instance",
			resource.PropertyMap{"dbSubnetGroupName": strProp("a")}, resource.PropertyMap{"dbSubnetGroupName": strProp("b")}, "dbSubnetGroupName", ""},
		{"secret compared by value", aws, "aws:secretsmanager/secretVersion:SecretVersion",
			resource.PropertyMap{"secretString": strProp("x")}, resource.PropertyMap{"secretString": resource.MakeSecret(strProp("x"))}, "", ""},
		{"unknown replace-forcing value replaces", aws, "aws:ecs/taskDefinition:TaskDefinition",
			resource.PropertyMap{"containerDefinitions": strProp("[]")}, resource.PropertyMap{"containerDefinitions": computed()}, "containerDefinitions", "containerDefinitions"},
		{"task definition tags update in place", aws, "aws:ecs/taskDefinition:TaskDefinition",
			resource.PropertyMap{}, resource.PropertyMap{"tags": resource.NewObjectProperty(resource.PropertyMap{"a": strProp("b")})}, "tags", ""},
		{"adding security groups to an NLB replaces it", aws, "aws:lb/loadBalancer:LoadBalancer",
			resource.PropertyMap{"loadBalancerType": strProp("network")},
			resource.PropertyMap{"loadBalancerType": strProp("network"), "securityGroups": strArray("sg-1")}, "securityGroups", "securityGroups"},
		{"kms key on a secret is an update", aws, "aws:secretsmanager/secret:Secret",
			resource.PropertyMap{"kmsKeyId": strProp("a")}, resource.PropertyMap{"kmsKeyId": strProp("b")}, "kmsKeyId", ""},
		{"vpc endpoint type change replaces it", aws, "aws:ec2/vpcEndpoint:VpcEndpoint",
			resource.PropertyMap{"vpcEndpointType": strProp("Gateway")}, resource.PropertyMap{"vpcEndpointType": strProp("Interface")}, "vpcEndpointType", "vpcEndpointType"},
		{"vpc endpoint subnets update in place", aws, "aws:ec2/vpcEndpoint:VpcEndpoint",
			resource.PropertyMap{"subnetIds": strArray("subnet-a")}, resource.PropertyMap{"subnetIds": strArray("subnet-a", "subnet-b")}, "subnetIds", ""},
		{"command triggers replace without update", cmd, "command:local:Command",
			resource.PropertyMap{"triggers": strArray("a")}, resource.PropertyMap{"triggers": strArray("b")}, "triggers", "triggers"},
		{"command create change updates", cmd, "command:local:Command",
			resource.PropertyMap{"create": strProp("a")}, resource.PropertyMap{"create": strProp("b")}, "create", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := tc.p.Diff(context.Background(), &pulumirpc.DiffRequest{
				Urn: urnOf(tc.typ, "r"), Id: "id", OldInputs: mustStruct(t, tc.olds), Olds: mustStruct(t, tc.olds), News: mustStruct(t, tc.news),
			})
			if err != nil {
				t.Fatalf("diff: %v", err)
			}
			if got := strings.Join(resp.GetDiffs(), ","); got != tc.wantDiffs {
				t.Errorf("diffs = %q, want %q", got, tc.wantDiffs)
			}
			if got := strings.Join(resp.GetReplaces(), ","); got != tc.wantReplaces {
				t.Errorf("replaces = %q, want %q", got, tc.wantReplaces)
			}
		})
	}
}

func TestCreateKeepsSecretsAndPreviewsUnknowns(t *testing.T) {
	cloud := newTestCloud()
	aws := newAWS(cloud)
	urn := urnOf("aws:rds/instance:Instance", "db")
	in := resource.PropertyMap{
		"identifier": strProp("db-1"), "instanceClass": strProp("db.t4g.micro"), "engine": strProp("postgres"),
		"allocatedStorage": numProp(20), "username": resource.MakeSecret(strProp("spicedb")),
		"password": strProp("plain-by-mistake"),
	}
	for _, preview := range []bool{true, false} {
		resp, err := aws.Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn, Properties: mustStruct(t, in), Preview: preview})
		if err != nil {
			t.Fatalf("create (preview=%v): %v", preview, err)
		}
		out, err := unmarshal(resp.GetProperties())
		if err != nil {
			t.Fatal(err)
		}
		if !out["username"].IsSecret() || !out["password"].IsSecret() {
			t.Errorf("preview=%v: username secret=%v password secret=%v, want both secret", preview, out["username"].IsSecret(), out["password"].IsSecret())
		}
		if got := out["endpoint"]; preview != got.IsComputed() {
			t.Errorf("preview=%v: endpoint = %v", preview, got)
		}
		if !preview && str(out, "endpoint") == "" || !preview && !strings.HasPrefix(str(out, "arn"), "arn:aws:rds:us-east-1:123456789012:db:db-1") {
			t.Errorf("outputs = %v", out)
		}
	}
	if got := cloud.Count(OpCreate, urn); got != 1 {
		t.Errorf("recorded creates = %d, want 1 (previews are not recorded)", got)
	}
}

func TestCreateRejectsWhatTheAPIRejects(t *testing.T) {
	cloud := newTestCloud()
	aws := newAWS(cloud)
	create := func(typ, name string, in resource.PropertyMap) error {
		_, err := aws.Create(context.Background(), &pulumirpc.CreateRequest{Urn: urnOf(typ, name), Properties: mustStruct(t, in)})
		return err
	}
	fargate := resource.PropertyMap{
		"family": strProp("f"), "containerDefinitions": strProp(`[{"name":"a","image":"i"}]`),
		"requiresCompatibilities": strArray("FARGATE"), "networkMode": strProp("awsvpc"),
	}
	if err := create("aws:ecs/taskDefinition:TaskDefinition", "td", fargate); err == nil || !strings.Contains(err.Error(), "cpu and memory") {
		t.Errorf("fargate task without cpu/memory: err = %v", err)
	}
	secret := resource.PropertyMap{"name": strProp("fixed")}
	if err := create("aws:secretsmanager/secret:Secret", "a", secret); err != nil {
		t.Fatalf("first secret: %v", err)
	}
	if err := create("aws:secretsmanager/secret:Secret", "b", secret); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate secret name: err = %v", err)
	}
}

func TestCommandLedger(t *testing.T) {
	cloud := newTestCloud()
	cmd := newCommand(cloud)
	urn := urnOf("command:local:Command", "migrate")
	in := resource.PropertyMap{"create": strProp("spicedb migrate head"), "delete": resource.MakeSecret(strProp("drop everything"))}
	ctx := context.Background()
	if _, err := cmd.Create(ctx, &pulumirpc.CreateRequest{Urn: urn, Properties: mustStruct(t, in), Preview: true}); err != nil {
		t.Fatal(err)
	}
	resp, err := cmd.Create(ctx, &pulumirpc.CreateRequest{Urn: urn, Properties: mustStruct(t, in)})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := unmarshal(resp.GetProperties())
	if !out["stdout"].IsSecret() {
		t.Errorf("stdout should be secret when an input is secret")
	}
	if _, err := cmd.Delete(ctx, &pulumirpc.DeleteRequest{Urn: urn, Id: resp.GetId(), OldInputs: mustStruct(t, in)}); err != nil {
		t.Fatal(err)
	}
	runs := cloud.CommandRuns()
	want := []CommandRun{{URN: urn, Op: OpCreate, Command: "spicedb migrate head"}, {URN: urn, Op: OpDelete, Command: "[secret]"}}
	if len(runs) != len(want) || runs[0] != want[0] || runs[1] != want[1] {
		t.Errorf("runs = %+v, want %+v", runs, want)
	}
	if len(cloud.Live()) != 0 {
		t.Errorf("live after delete = %v", cloud.Live())
	}
}

func TestRandomPasswordHonoursSpec(t *testing.T) {
	in := resource.PropertyMap{
		"length": numProp(40), "special": resource.NewBoolProperty(true), "overrideSpecial": strProp("#"),
		"minSpecial": numProp(5), "upper": resource.NewBoolProperty(false),
	}
	pw, err := generatePassword(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(pw) != 40 || strings.Count(pw, "#") < 5 || strings.ToLower(pw) != pw || strings.ContainsAny(pw, "!@$%") {
		t.Errorf("password %q does not honour length 40, >=5 '#', no upper, only '#' special", pw)
	}
}

func TestNthSubnet(t *testing.T) {
	for n, want := range map[int]string{0: "10.0.0.0/20", 1: "10.0.16.0/20", 5: "10.0.80.0/20"} {
		if got, err := nthSubnet("10.0.0.0/16", n); err != nil || got != want {
			t.Errorf("nthSubnet(%d) = %q, %v; want %q", n, got, err, want)
		}
	}
}
