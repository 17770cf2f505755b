package network

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/spicedb-ecs/spicedb-ecs/internal/componenttest"
	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
)

const (
	vpcType         = "awsx:ec2:Vpc"
	endpointType    = "aws:ec2/vpcEndpoint:VpcEndpoint"
	sgType          = "aws:ec2/securityGroup:SecurityGroup"
	ingressRuleType = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	egressRuleType  = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	routeTablesTok  = "aws:ec2/getRouteTables:getRouteTables"
)

var testTags = map[string]string{"project": "spicedb-ecs", "stack": "test", "team": "authz"}

// resolved holds the Network's outputs as plain values.
type resolved struct {
	VpcID, CidrBlock                  string
	PublicSubnetIDs, PrivateSubnetIDs []string
}

// runNetwork runs New under mocks and resolves its outputs. The error is
// New's own when New fails, else the run's.
func runNetwork(t *testing.T, args *Args) (*pulumimock.Mocks, resolved, error) {
	t.Helper()
	var got resolved
	var newErr error
	m, err := pulumimock.Run(func(ctx *pulumi.Context) error {
		n, err := New(ctx, "net", args)
		if err != nil {
			newErr = err
			return err
		}
		outputs := []struct {
			into any
			out  pulumi.Output
		}{{&got.VpcID, n.VpcID}, {&got.CidrBlock, n.CidrBlock}, {&got.PublicSubnetIDs, n.PublicSubnetIDs}, {&got.PrivateSubnetIDs, n.PrivateSubnetIDs}}
		for _, o := range outputs {
			r, err := internals.UnsafeAwaitOutput(ctx.Context(), o.out)
			if err != nil {
				return err
			}
			switch into := o.into.(type) {
			case *string:
				*into, _ = r.Value.(string)
			case *[]string:
				*into, _ = r.Value.([]string)
			}
		}
		return nil
	}, pulumimock.Options{Project: "spicedb-ecs", Stack: "test", Region: "us-east-1"})
	if newErr != nil {
		return m, got, newErr
	}
	if err != nil && strings.Contains(err.Error(), "unexpected invoke "+routeTablesTok) {
		t.Fatalf("internal/pulumimock does not answer %s yet; the S3 gateway endpoint needs it (see network/endpoints.go): %v", routeTablesTok, err)
	}
	return m, got, err
}

// mustRun is runNetwork for args that must succeed; it also checks what
// every successful run must satisfy: children parented, tags everywhere.
func mustRun(t *testing.T, args *Args) (*pulumimock.Mocks, resolved) {
	t.Helper()
	m, got, err := runNetwork(t, args)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	component := componenttest.Component(t, m, ComponentType)
	componenttest.AssertDescendFrom(t, m, component)
	for _, r := range m.Resources() {
		if r.URN != component.URN && r.Parent != component.URN {
			t.Errorf("%s %q: parent %q, want the Network %q", r.Type, r.Name, r.Parent, component.URN)
		}
	}
	componenttest.AssertTagged(t, m, testTags)
	return m, got
}

func TestNewCreatesVpcWithNatStrategy(t *testing.T) {
	tests := []struct {
		nat, wantStrategy string
		endpoints         bool
	}{
		{nat: "", wantStrategy: "Single"},
		{nat: NatSingle, wantStrategy: "Single"},
		{nat: NatOnePerAz, wantStrategy: "OnePerAz"},
		{nat: NatNone, wantStrategy: "None", endpoints: true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.nat), func(t *testing.T) {
			m, got := mustRun(t, &Args{CidrBlock: "10.1.0.0/16", AvailabilityZones: 3, NatGateways: tt.nat, VpcEndpoints: tt.endpoints, Tags: testTags})
			vpc, err := m.One(vpcType)
			if err != nil {
				t.Fatal(err)
			}
			if !vpc.Remote {
				t.Errorf("%s registered as a local resource; awsx components are remote", vpcType)
			}
			in := pulumimock.PlainMap(vpc.Inputs)
			want := map[string]any{
				"cidrBlock":                 "10.1.0.0/16",
				"numberOfAvailabilityZones": 3.0,
				"subnetStrategy":            "Auto",
				"natGateways":               map[string]any{"strategy": tt.wantStrategy},
				"enableDnsHostnames":        true,
				"enableDnsSupport":          true,
				"subnetSpecs":               []any{map[string]any{"type": "Public"}, map[string]any{"type": "Private"}},
			}
			for key, w := range want {
				if fmt.Sprint(in[key]) != fmt.Sprint(w) {
					t.Errorf("vpc %s = %v, want %v", key, in[key], w)
				}
			}
			if fmt.Sprint(in["tags"]) != fmt.Sprint(toAny(testTags)) {
				t.Errorf("vpc tags = %v, want %v", in["tags"], testTags)
			}

			out := pulumimock.PlainMap(vpc.Outputs)
			if got.VpcID != out["vpcId"] || got.CidrBlock != "10.1.0.0/16" {
				t.Errorf("VpcID, CidrBlock = %q, %q; want %v, 10.1.0.0/16", got.VpcID, got.CidrBlock, out["vpcId"])
			}
			if fmt.Sprint(got.PrivateSubnetIDs) != fmt.Sprint(out["privateSubnetIds"]) || fmt.Sprint(got.PublicSubnetIDs) != fmt.Sprint(out["publicSubnetIds"]) {
				t.Errorf("subnets = %v / %v, want the awsx Vpc's %v / %v", got.PublicSubnetIDs, got.PrivateSubnetIDs, out["publicSubnetIds"], out["privateSubnetIds"])
			}
			if len(got.PrivateSubnetIDs) != 3 {
				t.Errorf("%d private subnets, want one per zone (3)", len(got.PrivateSubnetIDs))
			}
		})
	}
}

func TestNewAdoptsExistingVpc(t *testing.T) {
	existing := &ExistingVpc{
		VpcID:            "vpc-0123456789abcdef0",
		PublicSubnetIDs:  []string{"subnet-0aaa", "subnet-0bbb"},
		PrivateSubnetIDs: []string{"subnet-0ccc", "subnet-0ddd"},
	}
	m, got := mustRun(t, &Args{NatGateways: NatNone, Existing: existing, Tags: testTags})

	if rs := m.Resources(); len(rs) != 1 {
		var names []string
		for _, r := range rs {
			names = append(names, r.Type+" "+r.Name)
		}
		t.Errorf("adopting a VPC registered %v; want only the Network component", names)
	}
	if !slices.Contains(m.Invokes(), "aws:ec2/getVpc:getVpc") {
		t.Errorf("invokes %v: the CIDR block must come from getVpc", m.Invokes())
	}
	want := resolved{
		VpcID:            existing.VpcID,
		CidrBlock:        pulumimock.ExistingVpcCidr,
		PublicSubnetIDs:  existing.PublicSubnetIDs,
		PrivateSubnetIDs: existing.PrivateSubnetIDs,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outputs = %+v, want %+v", got, want)
	}
}

func TestVpcEndpoints(t *testing.T) {
	existing := &ExistingVpc{VpcID: "vpc-0123456789abcdef0", PrivateSubnetIDs: []string{"subnet-0ccc", "subnet-0ddd"}}
	tests := []struct {
		name      string
		args      Args
		wantCount int
		wantCidr  string
	}{
		{name: "created, off", args: Args{}, wantCount: 0},
		{name: "created, on", args: Args{VpcEndpoints: true}, wantCount: 5, wantCidr: DefaultCidrBlock},
		{name: "existing, off", args: Args{Existing: existing}, wantCount: 0},
		{name: "existing, on", args: Args{Existing: existing, VpcEndpoints: true}, wantCount: 5, wantCidr: pulumimock.ExistingVpcCidr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			args.Tags = testTags
			m, got := mustRun(t, &args)
			endpoints := m.OfType(endpointType)
			if len(endpoints) != tt.wantCount {
				t.Fatalf("%d VPC endpoints, want %d", len(endpoints), tt.wantCount)
			}
			if tt.wantCount == 0 {
				if n := len(m.OfType(sgType)) + len(m.OfType(ingressRuleType)); n != 0 {
					t.Errorf("%d security groups/rules without endpoints, want 0", n)
				}
				return
			}
			sgID := checkEndpointSecurityGroup(t, m, tt.wantCidr)
			checkEndpoints(t, m, got, sgID, args.Existing != nil)
		})
	}
}

// checkEndpointSecurityGroup asserts the endpoints' group admits HTTPS from
// the VPC CIDR and nothing else, and returns its id.
func checkEndpointSecurityGroup(t *testing.T, m *pulumimock.Mocks, vpcCidr string) string {
	t.Helper()
	sg, err := m.One(sgType)
	if err != nil {
		t.Fatal(err)
	}
	for _, inline := range []string{"ingress", "egress"} {
		if v, ok := sg.Inputs[resource.PropertyKey(inline)]; ok && !v.IsNull() {
			t.Errorf("security group has inline %s rules %v; rules must be separate resources", inline, v)
		}
	}
	if n := len(m.OfType(egressRuleType)); n != 0 {
		t.Errorf("%d egress rules, want none", n)
	}
	rule, err := m.One(ingressRuleType)
	if err != nil {
		t.Fatal(err)
	}
	in := pulumimock.PlainMap(rule.Inputs)
	want := map[string]any{"securityGroupId": sg.ID, "ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrIpv4": vpcCidr}
	for key, w := range want {
		if in[key] != w {
			t.Errorf("ingress rule %s = %v, want %v", key, in[key], w)
		}
	}
	if in["referencedSecurityGroupId"] != nil || in["cidrIpv6"] != nil || in["prefixListId"] != nil {
		t.Errorf("ingress rule has extra sources: %v", in)
	}
	return sg.ID
}

func checkEndpoints(t *testing.T, m *pulumimock.Mocks, net resolved, sgID string, adopted bool) {
	t.Helper()
	byService := map[string]map[string]any{}
	for _, e := range m.OfType(endpointType) {
		in := pulumimock.PlainMap(e.Inputs)
		if in["vpcId"] != net.VpcID {
			t.Errorf("endpoint %q in VPC %v, want %s", e.Name, in["vpcId"], net.VpcID)
		}
		byService[fmt.Sprint(in["serviceName"])] = in
	}
	for _, service := range []string{"ecr.api", "ecr.dkr", "secretsmanager", "logs"} {
		in, ok := byService["com.amazonaws.us-east-1."+service]
		if !ok {
			t.Errorf("no interface endpoint for %s (have %v)", service, keys(byService))
			continue
		}
		if in["vpcEndpointType"] != "Interface" || in["privateDnsEnabled"] != true {
			t.Errorf("%s endpoint: type %v, private DNS %v; want Interface with private DNS", service, in["vpcEndpointType"], in["privateDnsEnabled"])
		}
		if fmt.Sprint(in["subnetIds"]) != fmt.Sprint(net.PrivateSubnetIDs) {
			t.Errorf("%s endpoint subnets %v, want the private subnets %v", service, in["subnetIds"], net.PrivateSubnetIDs)
		}
		if fmt.Sprint(in["securityGroupIds"]) != fmt.Sprint([]any{sgID}) {
			t.Errorf("%s endpoint security groups %v, want [%s]", service, in["securityGroupIds"], sgID)
		}
	}
	s3, ok := byService["com.amazonaws.us-east-1.s3"]
	if !ok {
		t.Fatalf("no S3 endpoint (have %v)", keys(byService))
	}
	if s3["vpcEndpointType"] != "Gateway" {
		t.Errorf("S3 endpoint type %v, want Gateway", s3["vpcEndpointType"])
	}
	if !slices.Contains(m.Invokes(), routeTablesTok) {
		t.Errorf("invokes %v: the S3 gateway's route tables must come from %s", m.Invokes(), routeTablesTok)
	}
	// One table per private subnet; an adopted VPC's main table too, for
	// subnets that use it without an explicit association.
	tables, _ := s3["routeTableIds"].([]any)
	want := len(net.PrivateSubnetIDs)
	if adopted {
		want++
	}
	if len(tables) != want || slices.Contains(tables, any("rtb-main")) != adopted {
		t.Errorf("S3 endpoint route tables %v, want one per private subnet (%d) plus the main table only when adopted (%v)",
			s3["routeTableIds"], len(net.PrivateSubnetIDs), adopted)
	}
}

func TestInvalidArgsRegisterNothing(t *testing.T) {
	existing := func(e ExistingVpc) *ExistingVpc { return &e }
	twoPrivate := []string{"subnet-0ccc", "subnet-0ddd"}
	tests := []struct {
		name string
		args *Args
		want string
	}{
		{"nil args", nil, "args are required"},
		{"unknown NAT strategy", &Args{NatGateways: "perSubnet"}, `NatGateways "perSubnet": accepted: single, onePerAz, none`},
		{"NAT strategy case", &Args{NatGateways: "Single"}, `NatGateways "Single"`},
		{"none without endpoints", &Args{NatGateways: NatNone}, "without VpcEndpoints"},
		{"CIDR too big", &Args{CidrBlock: "10.0.0.0/8"}, `CidrBlock "10.0.0.0/8"`},
		{"CIDR too small", &Args{CidrBlock: "10.0.0.0/25"}, `CidrBlock "10.0.0.0/25"`},
		{"CIDR host bits", &Args{CidrBlock: "10.0.0.1/16"}, `CidrBlock "10.0.0.1/16"`},
		{"CIDR IPv6", &Args{CidrBlock: "fd00::/56"}, `CidrBlock "fd00::/56"`},
		{"one zone", &Args{AvailabilityZones: 1}, "AvailabilityZones 1: accepted: 2 to 6"},
		{"seven zones", &Args{AvailabilityZones: 7}, "AvailabilityZones 7"},
		{"existing without VPC id", &Args{Existing: existing(ExistingVpc{PrivateSubnetIDs: twoPrivate})}, `Existing.VpcID ""`},
		{"existing with one private subnet", &Args{Existing: existing(ExistingVpc{VpcID: "vpc-0123", PrivateSubnetIDs: []string{"subnet-0ccc"}})}, "Existing.PrivateSubnetIDs: 1 given"},
		{"existing with a bad subnet id", &Args{Existing: existing(ExistingVpc{VpcID: "vpc-0123", PrivateSubnetIDs: twoPrivate, PublicSubnetIDs: []string{"sg-0eee"}})}, `Existing.PublicSubnetIDs: "sg-0eee"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, err := runNetwork(t, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "network: ") {
				t.Errorf("err = %q, want the network: prefix", err)
			}
			if rs := m.Resources(); len(rs) != 0 {
				t.Errorf("%d resources registered before the error, want 0", len(rs))
			}
		})
	}
}

func TestInvalidArgsReportedTogether(t *testing.T) {
	_, _, err := runNetwork(t, &Args{CidrBlock: "nonsense", AvailabilityZones: 9, NatGateways: "many"})
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"CidrBlock", "AvailabilityZones", "NatGateways"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want it to name %s", err, want)
		}
	}
}

func toAny(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func keys(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
