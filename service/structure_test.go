package service

import (
	"testing"

	"github.com/spicedb-ecs/spicedb-ecs/internal/componenttest"
)

// TestEveryChildIsParentedAndTagged covers every TLS mode and the optional
// resources (gate, image build): everything hangs under the Service except
// the rule the Datastore owns, and every taggable resource carries exactly
// the stack's tags.
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
			component := componenttest.Component(t, run.mocks, svcTestComponentType)
			dbRule := run.named(t, svcTestIngressRuleType, "spicedb-tasks")
			componenttest.AssertDescendFrom(t, run.mocks, component, dbRule)
			componenttest.AssertTaggedExactly(t, run.mocks, svcTestTags)
		})
	}
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
