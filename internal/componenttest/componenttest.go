// Package componenttest holds assertions every component package's mock tests
// share: children parented to their component, tags on every taggable AWS
// resource, and no secret in plaintext anywhere the engine would store it.
package componenttest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
)

// Untaggable lists the AWS resource types in this project whose schema has no
// tags (componenttest_test.go checks each against the SDK's Args struct).
// Every other aws:* custom resource must carry the stack's tags.
var Untaggable = map[string]bool{
	"aws:secretsmanager/secretVersion:SecretVersion":                            true,
	"aws:iam/rolePolicy:RolePolicy":                                             true,
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":                         true,
	"aws:appautoscaling/policy:Policy":                                          true,
	"aws:route53/record:Record":                                                 true,
	"aws:ecr/lifecyclePolicy:LifecyclePolicy":                                   true,
	"aws:acm/certificateValidation:CertificateValidation":                       true,
	"aws:ecs/clusterCapacityProviders:ClusterCapacityProviders":                 true,
	"aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation": true,
}

// Component returns the single registration of a component type.
func Component(t testing.TB, m *pulumimock.Mocks, typ string) pulumimock.Resource {
	t.Helper()
	r, err := m.One(typ)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// AssertDescendFrom fails t for every registration (other than root itself,
// provider resources and the ones in elsewhere) whose parent chain does not
// reach root: a resource outside the component's tree escapes `pulumi
// preview`'s grouping and its aliases, and usually means a forgotten
// pulumi.Parent. elsewhere are registrations the component causes but
// another component owns (a rule a Datastore's AllowFrom adds).
func AssertDescendFrom(t testing.TB, m *pulumimock.Mocks, root pulumimock.Resource, elsewhere ...pulumimock.Resource) {
	t.Helper()
	for _, r := range m.Resources() {
		if r.URN == root.URN || strings.HasPrefix(r.Type, "pulumi:providers:") ||
			slices.ContainsFunc(elsewhere, func(e pulumimock.Resource) bool { return e.URN == r.URN }) {
			continue
		}
		if !descends(m, r, root.URN) {
			t.Errorf("%s %q: parent %q does not lead to %s %q", r.Type, r.Name, r.Parent, root.Type, root.Name)
		}
	}
}

func descends(m *pulumimock.Mocks, r pulumimock.Resource, rootURN string) bool {
	for seen := 0; r.Parent != "" && seen < 100; seen++ {
		if r.Parent == rootURN {
			return true
		}
		parent, ok := m.ByURN(r.Parent)
		if !ok {
			return false
		}
		r = parent
	}
	return false
}

// AssertTagged fails t for every aws:* custom resource that is taggable
// (not in Untaggable) and lacks one of want's tags.
func AssertTagged(t testing.TB, m *pulumimock.Mocks, want map[string]string) {
	t.Helper()
	assertTags(t, m, want, false)
}

// AssertTaggedExactly is AssertTagged that also fails for tags beyond want,
// for a component that must pass its tags on unchanged.
func AssertTaggedExactly(t testing.TB, m *pulumimock.Mocks, want map[string]string) {
	t.Helper()
	assertTags(t, m, want, true)
}

func assertTags(t testing.TB, m *pulumimock.Mocks, want map[string]string, exact bool) {
	t.Helper()
	for _, r := range m.Resources() {
		if !r.Custom || !strings.HasPrefix(r.Type, "aws:") || Untaggable[r.Type] {
			continue
		}
		if problem := tagProblems(r.Inputs["tags"], want, exact); problem != "" {
			t.Errorf("%s %q: %s", r.Type, r.Name, problem)
		}
	}
}

// tagProblems describes how tags falls short of want (and, when exact, what
// it has beyond want), or returns "".
func tagProblems(tags resource.PropertyValue, want map[string]string, exact bool) string {
	got, _ := pulumimock.Plain(tags).(map[string]any)
	var problems []string
	for _, key := range slices.Sorted(maps.Keys(want)) {
		if got[key] != want[key] {
			problems = append(problems, fmt.Sprintf("missing tag %s=%q (got %v)", key, want[key], got[key]))
		}
	}
	if exact {
		for _, key := range slices.Sorted(maps.Keys(got)) {
			if _, wanted := want[key]; !wanted {
				problems = append(problems, fmt.Sprintf("unexpected tag %s=%v", key, got[key]))
			}
		}
	}
	return strings.Join(problems, ", ")
}

// PlaintextLeaks returns where secret occurs outside a Pulumi secret in any
// registration's inputs or outputs (what the engine would write to state and
// show in diffs). An empty secret is an error in the test, not "no leaks".
func PlaintextLeaks(t testing.TB, m *pulumimock.Mocks, secret string) []string {
	t.Helper()
	if secret == "" {
		t.Fatal("componenttest: PlaintextLeaks needs a non-empty secret to look for")
	}
	var leaks []string
	for _, r := range m.Resources() {
		where := fmt.Sprintf("%s %q", r.Type, r.Name)
		leaks = append(leaks, findPlain(resource.NewObjectProperty(r.Inputs), secret, where+" inputs")...)
		leaks = append(leaks, findPlain(resource.NewObjectProperty(r.Outputs), secret, where+" outputs")...)
	}
	return leaks
}

// findPlain walks v and reports every string containing secret that is not
// inside a secret wrapper.
func findPlain(v resource.PropertyValue, secret, path string) []string {
	switch {
	case v.IsSecret():
		return nil
	case v.IsOutput():
		if v.OutputValue().Secret {
			return nil
		}
		return findPlain(v.OutputValue().Element, secret, path)
	case v.IsString():
		if strings.Contains(v.StringValue(), secret) {
			return []string{path}
		}
	case v.IsArray():
		var out []string
		for i, e := range v.ArrayValue() {
			out = append(out, findPlain(e, secret, fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case v.IsObject():
		var out []string
		obj := v.ObjectValue()
		for _, k := range obj.StableKeys() {
			out = append(out, findPlain(obj[k], secret, path+"."+string(k))...)
		}
		return out
	}
	return nil
}
