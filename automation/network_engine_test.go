package automation_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/spicedb-ecs/spicedb-ecs/automation"
	"github.com/spicedb-ecs/spicedb-ecs/internal/fakeproviders"
)

// Network resource types the scenarios below look for.
const (
	typeAwsxVpc       = "awsx:ec2:Vpc"
	typeVpc           = "aws:ec2/vpc:Vpc"
	typeSubnet        = "aws:ec2/subnet:Subnet"
	typeVpcEndpoint   = "aws:ec2/vpcEndpoint:VpcEndpoint"
	typeSecurityGroup = "aws:ec2/securityGroup:SecurityGroup"
	typeTargetGroup   = "aws:lb/targetGroup:TargetGroup"
	typeLoadBalancer  = "aws:lb/loadBalancer:LoadBalancer"
	typeRdsSubnets    = "aws:rds/subnetGroup:SubnetGroup"
	typeIngressRule   = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
)

// TestEngineAdoptedVpc deploys dev into an existing VPC given by path
// config (typed nested arrays in the stack file): nothing of the network is
// created, and every consumer gets the given ids.
func TestEngineAdoptedVpc(t *testing.T) {
	t.Parallel()
	const vpcID = "vpc-0123456789abcdef0"
	private := []string{"subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"}
	public := []string{"subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"}
	ctx := context.Background()
	h := newHarness(t)
	cloud := h.env.Cloud
	s := h.open(t, "dev", map[string]string{
		"network.vpcId":               vpcID,
		"network.privateSubnetIds[0]": private[0],
		"network.privateSubnetIds[1]": private[1],
		"network.publicSubnetIds[0]":  public[0],
		"network.publicSubnetIds[1]":  public[1],
	}, nil)

	mustStep(t, "up creates no network and wires the given ids everywhere", func(t *testing.T) {
		if _, err := s.Up(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}
		for _, typ := range []string{typeVpc, typeSubnet} {
			if n := len(cloud.LiveOfType(typ)); n != 0 {
				t.Errorf("%d live %s in an adopted VPC, want none", n, typ)
			}
		}
		for _, urn := range stateResources(t, s) {
			if strings.Contains(urn, "::"+typeAwsxVpc+"::") {
				t.Errorf("state holds %s; an adopted VPC needs no awsx VPC", urn)
			}
		}
		assertStrings(t, "ECS service networkConfiguration.subnets",
			liveStrings(t, liveOne(t, cloud, typeEcsService), "networkConfiguration", "subnets"), private)
		assertStrings(t, "RDS subnet group subnetIds", liveStrings(t, liveOne(t, cloud, typeRdsSubnets), "subnetIds"), private)
		assertStrings(t, "NLB subnets", liveStrings(t, liveOne(t, cloud, typeLoadBalancer), "subnets"), public)
		for _, typ := range []string{typeSecurityGroup, typeTargetGroup} {
			for _, r := range cloud.LiveOfType(typ) {
				if got := liveString(t, r, "vpcId"); got != vpcID {
					t.Errorf("%s vpcId = %q, want the adopted %s", urnName(r.URN), got, vpcID)
				}
			}
		}
		out, err := s.Outputs(ctx)
		if err != nil {
			t.Fatalf("outputs: %v", err)
		}
		if out.VpcID != vpcID {
			t.Errorf("vpcId output = %q, want %q", out.VpcID, vpcID)
		}
		assertStrings(t, "taskSubnetIds output", out.TaskSubnetIDs, private)
	})

	mustStep(t, "destroy empties the cloud", func(t *testing.T) {
		destroyAll(t, h, s)
	})
}

// TestEngineNatlessVpcWithEndpoints deploys dev into a new VPC without NAT
// gateways: the AWS APIs a task needs are reached through VPC endpoints.
func TestEngineNatlessVpcWithEndpoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t)
	cloud := h.env.Cloud
	s := h.open(t, "dev", map[string]string{"network.natGateways": "none", "network.vpcEndpoints": "true"}, nil)

	mustStep(t, "up creates interface endpoints and an S3 gateway in the private subnets", func(t *testing.T) {
		if _, err := s.Up(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}
		out, err := s.Outputs(ctx)
		if err != nil {
			t.Fatalf("outputs: %v", err)
		}
		private := privateSubnets(t, cloud)
		assertStrings(t, "taskSubnetIds output", out.TaskSubnetIDs, private)
		vpc := liveOne(t, cloud, typeVpc)
		vpcID := vpc.ID
		if out.VpcID != vpcID {
			t.Errorf("vpcId output = %q, want the created VPC %s", out.VpcID, vpcID)
		}
		// Private DNS on an interface endpoint needs DNS hostnames on the VPC.
		if v := vpc.Inputs["enableDnsHostnames"]; !v.IsBool() || !v.BoolValue() {
			t.Errorf("VPC enableDnsHostnames = %v, want true", v)
		}

		endpoints := map[string]fakeproviders.LiveResource{} // by service: ecr.api, s3, …
		for _, r := range cloud.LiveOfType(typeVpcEndpoint) {
			service := strings.TrimPrefix(liveString(t, r, "serviceName"), "com.amazonaws.us-east-1.")
			endpoints[service] = r
			if got := liveString(t, r, "vpcId"); got != vpcID {
				t.Errorf("%s endpoint vpcId = %q, want %s", service, got, vpcID)
			}
		}
		want := []string{"ecr.api", "ecr.dkr", "logs", "s3", "secretsmanager"}
		if got := slices.Sorted(maps.Keys(endpoints)); !reflect.DeepEqual(got, want) {
			t.Fatalf("endpoints for %v, want %v", got, want)
		}
		for _, service := range []string{"ecr.api", "ecr.dkr", "secretsmanager", "logs"} {
			e := endpoints[service]
			if got := liveString(t, e, "vpcEndpointType"); got != "Interface" {
				t.Errorf("%s endpoint type %q, want Interface", service, got)
			}
			if v := e.Inputs["privateDnsEnabled"]; !v.IsBool() || !v.BoolValue() {
				t.Errorf("%s endpoint privateDnsEnabled = %v, want true (tasks resolve the public API names)", service, v)
			}
			assertStrings(t, service+" endpoint subnetIds", liveStrings(t, e, "subnetIds"), private)
			if groups := liveStrings(t, e, "securityGroupIds"); len(groups) != 1 {
				t.Errorf("%s endpoint security groups %v, want its own one", service, groups)
			}
		}
		s3 := endpoints["s3"]
		if got := liveString(t, s3, "vpcEndpointType"); got != "Gateway" {
			t.Errorf("s3 endpoint type %q, want Gateway", got)
		}
		// The lookup is filtered by the private subnets' associations: one
		// table each here, so the count shows public subnets were left out.
		if tables := liveStrings(t, s3, "routeTableIds"); len(tables) != len(private) {
			t.Errorf("s3 endpoint route tables %v, want one per private subnet (%d)", tables, len(private))
		}
		https := liveNamed(t, cloud, typeIngressRule, "spicedb-net-endpoints-https")
		if got := liveString(t, https, "cidrIpv4"); got != "10.0.0.0/16" {
			t.Errorf("endpoint ingress from %q, want the VPC's 10.0.0.0/16", got)
		}
		if from, to := https.Inputs["fromPort"], https.Inputs["toPort"]; from.V != 443.0 || to.V != 443.0 {
			t.Errorf("endpoint ingress ports %v-%v, want 443", from, to)
		}
		if pl := s3.Outputs["prefixListId"]; !pl.IsString() || !strings.HasPrefix(pl.StringValue(), "pl-") {
			t.Errorf("s3 endpoint prefixListId = %v, want pl-…", pl)
		}
	})

	mustStep(t, "second up changes nothing (the route table lookup is stable)", func(t *testing.T) {
		h.upChangesNothing(t, s)
	})

	mustStep(t, "destroy empties the cloud", func(t *testing.T) {
		destroyAll(t, h, s)
	})
}

func destroyAll(t *testing.T, h *harness, s *automation.Stack) {
	t.Helper()
	if _, err := s.Destroy(context.Background()); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if live := h.env.Cloud.Live(); len(live) != 0 {
		t.Errorf("%d resources still live after destroy", len(live))
	}
	if urns := stateResources(t, s); len(urns) != 0 {
		t.Errorf("state still holds %v", urns)
	}
}

// privateSubnets are the ids of the live subnets that give no public IPs,
// sorted by URN.
func privateSubnets(t *testing.T, cloud *fakeproviders.Cloud) []string {
	t.Helper()
	subnets := cloud.LiveOfType(typeSubnet)
	slices.SortFunc(subnets, func(a, b fakeproviders.LiveResource) int { return strings.Compare(a.URN, b.URN) })
	var ids []string
	for _, r := range subnets {
		if v := r.Inputs["mapPublicIpOnLaunch"]; v.IsBool() && !v.BoolValue() {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) < 2 {
		t.Fatalf("%d private subnets live, want at least 2", len(ids))
	}
	return ids
}

func liveNamed(t *testing.T, cloud *fakeproviders.Cloud, typ, name string) fakeproviders.LiveResource {
	t.Helper()
	for _, r := range cloud.LiveOfType(typ) {
		if urnName(r.URN) == name {
			return r
		}
	}
	t.Fatalf("no live %s named %s", typ, name)
	return fakeproviders.LiveResource{}
}

// liveValue is the input at path (keys and indexes) of a live resource,
// with secret wrappers removed.
func liveValue(t *testing.T, r fakeproviders.LiveResource, path ...any) resource.PropertyValue {
	t.Helper()
	v, ok := resource.PropertyPath(path).Get(resource.NewObjectProperty(r.Inputs))
	if !ok {
		t.Fatalf("%s has no input %v", r.URN, path)
	}
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

func liveString(t *testing.T, r fakeproviders.LiveResource, path ...any) string {
	t.Helper()
	v := liveValue(t, r, path...)
	if !v.IsString() {
		t.Fatalf("%s input %v = %v, want a string", r.URN, path, v)
	}
	return v.StringValue()
}

func liveStrings(t *testing.T, r fakeproviders.LiveResource, path ...any) []string {
	t.Helper()
	v := liveValue(t, r, path...)
	if !v.IsArray() {
		t.Fatalf("%s input %v = %v, want an array", r.URN, path, v)
	}
	var out []string
	for _, e := range v.ArrayValue() {
		out = append(out, fmt.Sprint(e.V))
	}
	return out
}

// assertStrings compares as sets: the order of subnet ids carries no meaning.
func assertStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
