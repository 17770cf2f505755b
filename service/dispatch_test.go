package service

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/spicedb-ecs/spicedb-ecs/internal/componenttest"
	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
)

const (
	svcTestNamespaceType = "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace"
	svcTestDiscoveryType = "aws:servicediscovery/service:Service"
)

func withDispatch(a *Args) { a.Dispatch = true }

func TestDispatchDiscovery(t *testing.T) {
	run := mustRunService(t, svcTestArgs(withDispatch))

	ns := run.one(t, svcTestNamespaceType)
	expectInputs(t, "namespace", ns, map[string]any{"name": "spicedb.test.internal", "vpc": "vpc-0test"})

	disc := run.one(t, svcTestDiscoveryType)
	expectInputs(t, "discovery service", disc, map[string]any{"name": "dispatch", "forceDestroy": true})
	wantDNS := map[string]any{
		"namespaceId":   ns.ID,
		"routingPolicy": "MULTIVALUE",
		"dnsRecords":    []any{map[string]any{"type": "A", "ttl": 10.0}},
	}
	if got := svcInput(disc, "dnsConfig"); !reflect.DeepEqual(got, wantDNS) {
		t.Errorf("dnsConfig %v, want %v", got, wantDNS)
	}
	if got := svcInput(disc, "healthCheckCustomConfig"); !reflect.DeepEqual(got, map[string]any{"failureThreshold": 1.0}) {
		t.Errorf("healthCheckCustomConfig %v: ECS must report task health", got)
	}
	if got := svcInput(disc, "healthCheckConfig"); got != nil {
		t.Errorf("healthCheckConfig %v: Route 53 health checks cannot reach private tasks", got)
	}

	registries, _ := svcInput(run.one(t, "aws:ecs/service:Service"), "serviceRegistries").(map[string]any)
	if want := svcOutput(disc, "arn"); want == nil || !reflect.DeepEqual(registries, map[string]any{"registryArn": want}) {
		t.Errorf("ECS serviceRegistries %v, want registryArn %v", registries, want)
	}

	component := componenttest.Component(t, run.mocks, svcTestComponentType)
	componenttest.AssertDescendFrom(t, run.mocks, component, run.named(t, svcTestIngressRuleType, "spicedb-tasks"))
	componenttest.AssertTaggedExactly(t, run.mocks, svcTestTags)
}

func TestDispatchServeContainer(t *testing.T) {
	run := mustRunService(t, svcTestArgs(withDispatch))
	_, defs := run.containerDefinitions(t, "spicedb-serve")
	env := envMap(t, defs[0])
	want := map[string]string{
		"SPICEDB_DISPATCH_CLUSTER_ENABLED": "true",
		"SPICEDB_DISPATCH_CLUSTER_ADDR":    ":50053",
		"SPICEDB_DISPATCH_UPSTREAM_ADDR":   "dns:///dispatch.spicedb.test.internal:50053",
	}
	if got := dispatchVars(env); !reflect.DeepEqual(got, want) {
		t.Errorf("dispatch environment %v, want %v", got, want)
	}
	if !slices.Contains(defs[0].PortMappings, portMapping{Name: "dispatch", ContainerPort: 50053, Protocol: "tcp"}) {
		t.Errorf("port mappings %+v lack dispatch 50053/tcp", defs[0].PortMappings)
	}

	_, migrate := run.containerDefinitions(t, "spicedb-migrate")
	if got := dispatchVars(envMap(t, migrate[0])); len(got) != 0 || len(migrate[0].PortMappings) != 0 {
		t.Errorf("the migration does not dispatch: env %v ports %v", got, migrate[0].PortMappings)
	}
}

func TestDispatchSecurityGroupAdmitsOnlyTheTasks(t *testing.T) {
	run := mustRunService(t, svcTestArgs(withDispatch))
	taskSG := run.named(t, "aws:ec2/securityGroup:SecurityGroup", "spicedb-tasks-sg").ID
	for _, typ := range []string{svcTestIngressRuleType, svcTestEgressRuleType} {
		var found []string
		for _, r := range run.mocks.OfType(typ) {
			if svcInput(r, "fromPort") != 50053.0 && svcInput(r, "toPort") != 50053.0 {
				continue
			}
			found = append(found, r.Name)
			expectInputs(t, r.Name, r, map[string]any{
				"securityGroupId": taskSG, "referencedSecurityGroupId": taskSG,
				"fromPort": 50053.0, "toPort": 50053.0, "ipProtocol": "tcp", "cidrIpv4": nil, "cidrIpv6": nil,
			})
		}
		if len(found) != 1 {
			t.Errorf("%s rules on 50053: %v, want exactly one", typ, found)
		}
	}
}

func TestDispatchOffAddsNothing(t *testing.T) {
	run := mustRunService(t, svcTestArgs(nil))
	for _, typ := range []string{svcTestNamespaceType, svcTestDiscoveryType} {
		if got := run.mocks.OfType(typ); len(got) != 0 {
			t.Errorf("%d %s registered with dispatch off", len(got), typ)
		}
	}
	if got := svcInput(run.one(t, "aws:ecs/service:Service"), "serviceRegistries"); got != nil {
		t.Errorf("ECS serviceRegistries %v with dispatch off", got)
	}
	for _, td := range []string{"spicedb-serve", "spicedb-migrate"} {
		_, defs := run.containerDefinitions(t, td)
		if got := dispatchVars(envMap(t, defs[0])); len(got) != 0 {
			t.Errorf("%s: dispatch environment %v with dispatch off", td, got)
		}
		for _, p := range defs[0].PortMappings {
			if p.ContainerPort == dispatchPort {
				t.Errorf("%s: dispatch port mapped with dispatch off", td)
			}
		}
	}
	for _, typ := range []string{svcTestIngressRuleType, svcTestEgressRuleType} {
		for _, r := range run.mocks.OfType(typ) {
			if svcInput(r, "fromPort") == 50053.0 {
				t.Errorf("%s %q opens the dispatch port with dispatch off", typ, r.Name)
			}
		}
	}
}

// dispatchVars are the SPICEDB_DISPATCH_* entries of env.
func dispatchVars(env map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		if strings.HasPrefix(k, "SPICEDB_DISPATCH_") {
			out[k] = v
		}
	}
	return out
}

// TestDispatchNamespacePerStack: two stacks of the project in one VPC ask
// for different private zones, and each points SpiceDB at its own.
func TestDispatchNamespacePerStack(t *testing.T) {
	names := map[string]string{}
	for _, stack := range []string{"dev", "prod"} {
		mocks, err := pulumimock.Run(func(ctx *pulumi.Context) error {
			_, err := New(ctx, svcTestName, svcTestArgs(withDispatch))
			return err
		}, pulumimock.Options{Project: "spicedb-ecs", Stack: stack, Region: "us-east-1"})
		if err != nil {
			t.Fatalf("%s: %v", stack, err)
		}
		ns := svcInput(oneOf(t, mocks, svcTestNamespaceType), "name").(string)
		if want := "spicedb." + stack + ".internal"; ns != want {
			t.Errorf("stack %s: namespace %q, want %q", stack, ns, want)
		}
		td, _ := mocks.Named(svcTestTaskDefType, "spicedb-serve")
		if upstream := "dns:///dispatch." + ns + ":50053"; !strings.Contains(svcInput(td, "containerDefinitions").(string), upstream) {
			t.Errorf("stack %s: serve container does not dispatch to %s", stack, upstream)
		}
		names[stack] = ns
	}
	if names["dev"] == names["prod"] {
		t.Errorf("dev and prod share namespace %q", names["dev"])
	}
}

var dnsLabelPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

func TestDispatchNamespaceName(t *testing.T) {
	for _, tc := range []struct {
		component, stack string
		want             string // "" when only validity and distinctness are checked
	}{
		{"spicedb", "dev", "spicedb.dev.internal"},
		{"spicedb", "prod-eu-1", "spicedb.prod-eu-1.internal"},
		{"spicedb", "Dev", ""},
		{"spicedb", "my_stack", ""},
		{"spicedb", "my.stack", ""},
		{"spicedb", "--edge--", ""},
		{"spicedb", "___", ""},
		{"SpiceDB Main", "dev", ""},
		{"spicedb", strings.Repeat("a", 70), ""},
		{"spicedb", strings.Repeat("a", 62) + "_x", ""},
	} {
		got := dispatchNamespaceName(tc.component, tc.stack)
		if tc.want != "" && got != tc.want {
			t.Errorf("(%q, %q) = %q, want %q", tc.component, tc.stack, got, tc.want)
		}
		labels := strings.Split(got, ".")
		if len(labels) != 3 || labels[2] != "internal" {
			t.Errorf("(%q, %q) = %q: want <component>.<stack>.internal", tc.component, tc.stack, got)
		}
		for _, l := range labels {
			if !dnsLabelPattern.MatchString(l) {
				t.Errorf("(%q, %q) = %q: label %q is not a lower-case DNS label", tc.component, tc.stack, got, l)
			}
		}
	}
	// Stack names that differ only in what sanitising removes stay apart.
	for _, pair := range [][2]string{{"Dev", "dev"}, {"my_stack", "my-stack"}, {"my.stack", "my-stack"}, {"a__b", "a_b"}} {
		if a, b := dispatchNamespaceName("spicedb", pair[0]), dispatchNamespaceName("spicedb", pair[1]); a == b {
			t.Errorf("stacks %q and %q both get %q", pair[0], pair[1], a)
		}
	}
}
