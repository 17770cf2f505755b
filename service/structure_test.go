package service

import (
	"maps"
	"strings"
	"testing"
)

// untaggable are the AWS resource types here whose API takes no tags.
var untaggable = map[string]bool{
	"aws:ecr/lifecyclePolicy:LifecyclePolicy":             true,
	"aws:secretsmanager/secretVersion:SecretVersion":      true,
	"aws:iam/rolePolicy:RolePolicy":                       true,
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":   true,
	"aws:appautoscaling/policy:Policy":                    true,
	"aws:route53/record:Record":                           true,
	"aws:acm/certificateValidation:CertificateValidation": true,
}

// TestEveryChildIsParentedAndTagged covers every TLS mode and the optional
// resources (gate, image build).
func TestEveryChildIsParentedAndTagged(t *testing.T) {
	for name, mutate := range map[string]func(*Args){
		"private CA":      nil,
		"certificate ARN": func(a *Args) { a.TLS.CertificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc" },
		"dns validated": func(a *Args) {
			a.TLS = TLSArgs{DomainName: "authz.example.com", HostedZoneID: "Z0123456789ABCDEFGHIJ"}
			a.MigrationGate = MigrationGateNone
			a.LoadBalancer.Internal = true
		},
	} {
		t.Run(name, func(t *testing.T) {
			run := mustRunService(t, svcTestArgs(mutate))
			byURN := map[string]string{} // URN → parent URN
			for _, r := range run.mocks.Resources() {
				byURN[r.URN] = r.Parent
			}
			dbRule := run.named(t, svcTestIngressRuleType, "spicedb-tasks").URN
			for _, r := range run.mocks.Resources() {
				if r.URN == run.urn || r.URN == dbRule {
					continue // the component itself; the rule the Datastore owns
				}
				if !descendsFrom(byURN, r.URN, run.urn) {
					t.Errorf("%s %q is not under the Service (parent %q)", r.Type, r.Name, r.Parent)
				}
				if r.Custom && strings.HasPrefix(r.Type, "aws:") && !untaggable[r.Type] {
					tags, _ := svcInput(r, "tags").(map[string]any)
					want := map[string]any{}
					for k, v := range svcTestTags {
						want[k] = v
					}
					if !maps.Equal(tags, want) {
						t.Errorf("%s %q tags %v, want %v", r.Type, r.Name, tags, want)
					}
				}
			}
		})
	}
}

func descendsFrom(parents map[string]string, urn, ancestor string) bool {
	for p := parents[urn]; p != ""; p = parents[p] {
		if p == ancestor {
			return true
		}
	}
	return false
}

func TestInternalLoadBalancerUsesPrivateSubnets(t *testing.T) {
	for _, tc := range []struct {
		internal bool
		want     []any
	}{
		{false, []any{"subnet-0pub0", "subnet-0pub1"}},
		{true, []any{"subnet-0prv0", "subnet-0prv1"}},
	} {
		run := mustRunService(t, svcTestArgs(func(a *Args) { a.LoadBalancer.Internal = tc.internal }))
		got, _ := svcInput(run.one(t, "aws:lb/loadBalancer:LoadBalancer"), "subnets").([]any)
		if len(got) != len(tc.want) || got[0] != tc.want[0] || got[1] != tc.want[1] {
			t.Errorf("internal=%v: NLB subnets %v, want %v", tc.internal, got, tc.want)
		}
	}
}
