package service

import (
	"fmt"
	"maps"
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
	edgeTestVpcCidr      = "10.0.0.0/16"
	edgeTestParentType   = "spicedb-ecs:test:EdgeParent"
	edgeTestCertificate  = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
	edgeTestDomain       = "authz.example.com"
	edgeTestHostedZoneID = "Z0123456789ABCDEFGHIJ"
)

// edgeTestParent stands in for the Service component the edge hangs under.
type edgeTestParent struct{ pulumi.ResourceState }

// edgeRun is one mock deployment of newEdge and what it produced.
type edgeRun struct {
	mocks     *pulumimock.Mocks
	parentURN string
	endpoint  string
	host      string
	caPem     string
	caSecret  bool
}

// edgeTestArgs are valid edge args as the Service passes them: the
// LoadBalancer section has Args.withDefaults applied.
func edgeTestArgs(mutate func(*edgeArgs)) edgeArgs {
	args := edgeArgs{
		VpcID:        pulumi.String("vpc-0test"),
		VpcCidr:      pulumi.String(edgeTestVpcCidr),
		SubnetIDs:    pulumi.ToStringArray([]string{"subnet-0pub0", "subnet-0pub1"}),
		LoadBalancer: Args{}.withDefaults().LoadBalancer,
		Tags:         maps.Clone(svcTestTags),
	}
	if mutate != nil {
		mutate(&args)
	}
	return args
}

// runEdge deploys the edge under a test parent with mocks; a newEdge error
// is returned as is.
func runEdge(t *testing.T, args edgeArgs) (*edgeRun, error) {
	t.Helper()
	run := &edgeRun{}
	mocks, err := pulumimock.Run(func(ctx *pulumi.Context) error {
		parent := &edgeTestParent{}
		if err := ctx.RegisterComponentResource(edgeTestParentType, "svc", parent); err != nil {
			return err
		}
		e, err := newEdge(ctx, "svc", args, parent)
		if err != nil {
			return err
		}
		urn, err := internals.UnsafeAwaitOutput(ctx.Context(), parent.URN())
		if err != nil {
			return err
		}
		run.parentURN = string(urn.Value.(pulumi.URN))
		for _, out := range []struct {
			o      pulumi.StringOutput
			into   *string
			secret *bool
		}{
			{e.Endpoint, &run.endpoint, nil},
			{e.Host, &run.host, nil},
			{e.CACertificatePem, &run.caPem, &run.caSecret},
		} {
			res, err := internals.UnsafeAwaitOutput(ctx.Context(), out.o)
			if err != nil {
				return err
			}
			*out.into, _ = res.Value.(string)
			if out.secret != nil {
				*out.secret = res.Secret
			}
		}
		return nil
	}, pulumimock.Options{Project: "spicedb-ecs", Stack: "test", Region: "us-east-1"})
	run.mocks = mocks
	return run, err
}

func mustRunEdge(t *testing.T, args edgeArgs) *edgeRun {
	t.Helper()
	run, err := runEdge(t, args)
	if err != nil {
		t.Fatalf("newEdge: %v", err)
	}
	return run
}

func TestEdgeListenerIsTLS13WithHTTP2ALPNForwardingToTargetGroup(t *testing.T) {
	tests := []struct {
		name       string
		lb         func(*LoadBalancerArgs)
		wantPort   float64
		wantPolicy string
	}{
		{"defaults", func(*LoadBalancerArgs) {}, 443, "ELBSecurityPolicy-TLS13-1-2-2021-06"},
		{"configured", func(l *LoadBalancerArgs) {
			l.ListenerPort = 50443
			l.SslPolicy = "ELBSecurityPolicy-TLS13-1-3-2021-06"
		}, 50443, "ELBSecurityPolicy-TLS13-1-3-2021-06"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := mustRunEdge(t, edgeTestArgs(func(a *edgeArgs) { tt.lb(&a.LoadBalancer) }))
			listener := oneOf(t, run.mocks, "aws:lb/listener:Listener")
			nlb := oneOf(t, run.mocks, "aws:lb/loadBalancer:LoadBalancer")
			tg := oneOf(t, run.mocks, "aws:lb/targetGroup:TargetGroup")

			expectInputs(t, "listener", listener, map[string]any{
				"protocol":        "TLS",
				"port":            tt.wantPort,
				"sslPolicy":       tt.wantPolicy,
				"alpnPolicy":      "HTTP2Only",
				"loadBalancerArn": svcOutput(nlb, "arn"),
			})
			actions, _ := svcInput(listener, "defaultActions").([]any)
			if len(actions) != 1 {
				t.Fatalf("listener default actions = %v, want exactly one", actions)
			}
			action := actions[0].(map[string]any)
			if action["type"] != "forward" || action["targetGroupArn"] != svcOutput(tg, "arn") {
				t.Errorf("listener default action = %v, want forward to %v", action, svcOutput(tg, "arn"))
			}
			wantEndpoint := fmt.Sprintf("%s:%d", svcOutput(nlb, "dnsName"), int(tt.wantPort))
			if run.endpoint != wantEndpoint {
				t.Errorf("endpoint = %q, want %q", run.endpoint, wantEndpoint)
			}
		})
	}
}

func TestEdgeTargetGroupSendsGRPCToTasksAndChecksHealthz(t *testing.T) {
	tests := []struct {
		name      string
		delay     int
		wantDelay float64
	}{
		{"default delay", 0, 60},
		{"configured delay", 45, 45},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := edgeTestArgs(nil)
			if tt.delay != 0 {
				args.LoadBalancer.DeregistrationDelaySeconds = tt.delay
			}
			run := mustRunEdge(t, args)
			tg := oneOf(t, run.mocks, "aws:lb/targetGroup:TargetGroup")
			expectInputs(t, "target group", tg, map[string]any{
				"protocol":              "TCP",
				"port":                  float64(50051),
				"targetType":            "ip",
				"vpcId":                 "vpc-0test",
				"deregistrationDelay":   tt.wantDelay,
				"connectionTermination": true,
				"preserveClientIp":      "false",
			})
			wantCheck := map[string]any{
				"enabled":            true,
				"protocol":           "HTTP",
				"port":               "8443",
				"path":               "/healthz",
				"matcher":            "200",
				"interval":           float64(10),
				"timeout":            float64(5),
				"healthyThreshold":   float64(2),
				"unhealthyThreshold": float64(2),
			}
			if got := svcInput(tg, "healthCheck"); !maps.Equal(got.(map[string]any), wantCheck) {
				t.Errorf("health check = %v, want %v", got, wantCheck)
			}
		})
	}
}

// TestEdgeHealthCheckWithinNLBLimits keeps the declared numbers inside what
// ELBv2 accepts for NLB HTTP health checks, so a tweak cannot break deploys.
func TestEdgeHealthCheckWithinNLBLimits(t *testing.T) {
	if i := edgeHealthCheckIntervalSeconds; i < 5 || i > 300 {
		t.Errorf("interval %d outside 5-300", i)
	}
	if to := edgeHealthCheckTimeoutSeconds; to < 2 || to > 120 || to >= edgeHealthCheckIntervalSeconds {
		t.Errorf("timeout %d outside 2-120 or not below the interval", to)
	}
	for _, th := range []int{edgeHealthCheckHealthyThreshold, edgeHealthCheckUnhealthyThreshold} {
		if th < 2 || th > 10 {
			t.Errorf("threshold %d outside 2-10", th)
		}
	}
}

func TestEdgeLoadBalancerIsCrossZoneNLBWithSecurityGroup(t *testing.T) {
	for _, internal := range []bool{false, true} {
		t.Run(map[bool]string{false: "internet-facing", true: "internal"}[internal], func(t *testing.T) {
			subnets := []string{"subnet-0pub0", "subnet-0pub1"}
			if internal {
				subnets = []string{"subnet-0prv0", "subnet-0prv1"}
			}
			run := mustRunEdge(t, edgeTestArgs(func(a *edgeArgs) {
				a.LoadBalancer.Internal = internal
				a.SubnetIDs = pulumi.ToStringArray(subnets)
			}))
			nlb := oneOf(t, run.mocks, "aws:lb/loadBalancer:LoadBalancer")
			sg := oneOf(t, run.mocks, "aws:ec2/securityGroup:SecurityGroup")
			expectInputs(t, "load balancer", nlb, map[string]any{
				"loadBalancerType":             "network",
				"internal":                     internal,
				"enableCrossZoneLoadBalancing": true,
				"enforceSecurityGroupInboundRulesOnPrivateLinkTraffic": "on",
			})
			if got := svcInput(nlb, "subnets"); !slices.Equal(edgeStrings(got), subnets) {
				t.Errorf("load balancer subnets = %v, want %v", got, subnets)
			}
			if got := edgeStrings(svcInput(nlb, "securityGroups")); !slices.Equal(got, []string{sg.ID}) {
				t.Errorf("load balancer security groups = %v, want [%s]", got, sg.ID)
			}
			if _, set := nlb.Inputs["accessLogs"]; set {
				t.Errorf("access logs configured without a bucket: %v", svcInput(nlb, "accessLogs"))
			}
		})
	}
}

func TestEdgeSecurityGroupAdmitsOnlyListenerPortFromAllowedCidrs(t *testing.T) {
	tests := []struct {
		name     string
		lb       func(*LoadBalancerArgs)
		port     float64
		wantIPv4 []string
		wantIPv6 []string
	}{
		{"internet-facing default is the IPv4 internet", func(*LoadBalancerArgs) {}, 443,
			[]string{"0.0.0.0/0"}, nil},
		{"internal default is the VPC", func(l *LoadBalancerArgs) { l.Internal = true }, 443,
			[]string{edgeTestVpcCidr}, nil},
		{"configured CIDRs on a custom port", func(l *LoadBalancerArgs) {
			l.ListenerPort = 50443
			l.AllowedCidrs = []string{"203.0.113.0/24", "198.51.100.7/32", "2001:db8::/48"}
		}, 50443, []string{"198.51.100.7/32", "203.0.113.0/24"}, []string{"2001:db8::/48"}},
		{"configured CIDRs replace the internal default", func(l *LoadBalancerArgs) {
			l.Internal = true
			l.AllowedCidrs = []string{"10.0.8.0/24"}
		}, 443, []string{"10.0.8.0/24"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := mustRunEdge(t, edgeTestArgs(func(a *edgeArgs) { tt.lb(&a.LoadBalancer) }))
			sg := oneOf(t, run.mocks, "aws:ec2/securityGroup:SecurityGroup")
			for _, inline := range []string{"ingress", "egress"} {
				if v, set := sg.Inputs[resource.PropertyKey(inline)]; set && len(v.ArrayValue()) > 0 {
					t.Errorf("security group has inline %s rules: %v", inline, pulumimock.Plain(v))
				}
			}

			var gotIPv4, gotIPv6 []string
			for _, rule := range run.mocks.OfType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
				if svcInput(rule, "securityGroupId") != sg.ID {
					t.Errorf("ingress rule %s is on %v, want the NLB group %s", rule.Name, svcInput(rule, "securityGroupId"), sg.ID)
				}
				if svcInput(rule, "ipProtocol") != "tcp" || svcInput(rule, "fromPort") != tt.port || svcInput(rule, "toPort") != tt.port {
					t.Errorf("ingress rule %s = %v/%v-%v, want tcp/%v only", rule.Name, svcInput(rule, "ipProtocol"),
						svcInput(rule, "fromPort"), svcInput(rule, "toPort"), tt.port)
				}
				if _, set := rule.Inputs["referencedSecurityGroupId"]; set {
					t.Errorf("ingress rule %s references a security group", rule.Name)
				}
				if v, ok := svcInput(rule, "cidrIpv4").(string); ok {
					gotIPv4 = append(gotIPv4, v)
				}
				if v, ok := svcInput(rule, "cidrIpv6").(string); ok {
					gotIPv6 = append(gotIPv6, v)
				}
			}
			slices.Sort(gotIPv4)
			slices.Sort(gotIPv6)
			if !slices.Equal(gotIPv4, tt.wantIPv4) || !slices.Equal(gotIPv6, tt.wantIPv6) {
				t.Errorf("ingress from IPv4 %v IPv6 %v, want IPv4 %v IPv6 %v", gotIPv4, gotIPv6, tt.wantIPv4, tt.wantIPv6)
			}

			var egressPorts []float64
			for _, rule := range run.mocks.OfType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule") {
				if svcInput(rule, "securityGroupId") != sg.ID || svcInput(rule, "cidrIpv4") != edgeTestVpcCidr ||
					svcInput(rule, "ipProtocol") != "tcp" || svcInput(rule, "fromPort") != svcInput(rule, "toPort") {
					t.Errorf("egress rule %s = %v, want tcp to %s on one port", rule.Name, pulumimock.PlainMap(rule.Inputs), edgeTestVpcCidr)
				}
				egressPorts = append(egressPorts, svcInput(rule, "fromPort").(float64))
			}
			slices.Sort(egressPorts)
			if want := []float64{8443, 50051}; !slices.Equal(egressPorts, want) {
				t.Errorf("egress ports = %v, want %v", egressPorts, want)
			}
		})
	}
}

// TestEdgeChildrenParentedAndTagged covers every resource any certificate
// mode creates: all hang directly under the parent with names derived from
// its name, and every taggable one carries exactly the tags.
func TestEdgeChildrenParentedAndTagged(t *testing.T) {
	for mode, tlsArgs := range edgeTestTLSModes() {
		t.Run(mode, func(t *testing.T) {
			run := mustRunEdge(t, edgeTestArgs(func(a *edgeArgs) { a.TLS = tlsArgs }))
			for _, r := range run.mocks.Resources() {
				if r.Type == edgeTestParentType {
					continue
				}
				if r.Parent != run.parentURN {
					t.Errorf("%s %s has parent %q, want %q", r.Type, r.Name, r.Parent, run.parentURN)
				}
				if !strings.HasPrefix(r.Name, "svc-") {
					t.Errorf("%s %s: name not derived from the component name", r.Type, r.Name)
				}
			}
			componenttest.AssertTaggedExactly(t, run.mocks, svcTestTags)
		})
	}
}

func TestEdgeRejectsBadArgsBeforeRegistering(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*edgeArgs)
		wantErr string
	}{
		{"domain without zone", func(a *edgeArgs) { a.TLS.DomainName = edgeTestDomain }, "hosted zone"},
		{"zone without domain", func(a *edgeArgs) { a.TLS.HostedZoneID = edgeTestHostedZoneID }, "needs a domain name"},
		{"certificate and domain", func(a *edgeArgs) {
			a.TLS = TLSArgs{CertificateArn: edgeTestCertificate, DomainName: edgeTestDomain, HostedZoneID: edgeTestHostedZoneID}
		}, "not both"},
		{"unparsable CIDR", func(a *edgeArgs) { a.LoadBalancer.AllowedCidrs = []string{"10.0.0.0/33"} }, "10.0.0.0/33"},
		{"CIDR with host bits", func(a *edgeArgs) { a.LoadBalancer.AllowedCidrs = []string{"10.1.2.3/16"} }, "did you mean 10.1.0.0/16"},
		{"duplicate CIDR", func(a *edgeArgs) { a.LoadBalancer.AllowedCidrs = []string{"10.0.0.0/8", "10.0.0.0/8"} }, "twice"},
		{"no TLS policy", func(a *edgeArgs) { a.LoadBalancer.SslPolicy = "" }, "TLS security policy"},
		{"listener port out of range", func(a *edgeArgs) { a.LoadBalancer.ListenerPort = 70000 }, "listener port"},
		{"deregistration delay too long", func(a *edgeArgs) { a.LoadBalancer.DeregistrationDelaySeconds = 4000 }, "deregistration delay"},
		{"no VPC", func(a *edgeArgs) { a.VpcID = nil }, "VPC id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, err := runEdge(t, edgeTestArgs(tt.mutate))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
			}
			for _, r := range run.mocks.Resources() {
				if r.Type != edgeTestParentType {
					t.Errorf("registered %s %s despite invalid args", r.Type, r.Name)
				}
			}
		})
	}
}

// edgeStrings turns a plain []any of strings into []string.
func edgeStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, e := range list {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}
