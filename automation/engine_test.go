package automation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/spicedb-ecs/spicedb-ecs/automation"
	"github.com/spicedb-ecs/spicedb-ecs/internal/fakeproviders"
	"github.com/spicedb-ecs/spicedb-ecs/internal/testkit"
)

// Resource types the lifecycle assertions name.
const (
	typeTaskDefinition = "aws:ecs/taskDefinition:TaskDefinition"
	typeEcsService     = "aws:ecs/service:Service"
	typeCommand        = "command:local:Command"
	typeRdsInstance    = "aws:rds/instance:Instance"
)

// dataHolders are the types whose replacement would lose data or break
// clients holding their values; no change tested here may replace them.
var dataHolders = []string{
	typeRdsInstance,
	"aws:rds/parameterGroup:ParameterGroup",
	"aws:rds/subnetGroup:SubnetGroup",
	"aws:secretsmanager/secret:Secret",
	"aws:secretsmanager/secretVersion:SecretVersion",
	"random:index/randomPassword:RandomPassword",
	"aws:ecr/repository:Repository",
	"aws:cloudwatch/logGroup:LogGroup",
	"aws:ec2/vpc:Vpc",
	"aws:ec2/subnet:Subnet",
	"aws:lb/loadBalancer:LoadBalancer",
}

// TestEngineDevLifecycle walks one dev stack through the real engine on the
// fake cloud: each step builds on the previous one.
func TestEngineDevLifecycle(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	cloud := h.env.Cloud
	s := h.open(t, "dev", nil, nil)

	step := func(name string, f func(t *testing.T)) { mustStep(t, name, f) }

	step("preview creates everything, touches nothing", func(t *testing.T) {
		res, err := s.Preview(ctx)
		if err != nil {
			t.Fatalf("preview: %v", err)
		}
		if res.ChangeSummary[apitype.OpCreate] < 40 {
			t.Errorf("preview plans %v, want the whole program (40+ creates)", res.ChangeSummary)
		}
		if ev := cloud.Events(); len(ev) != 0 {
			t.Errorf("preview reached the cloud: %+v", ev)
		}
	})

	var secrets []string // the live secret values, for the later steps' leak checks
	step("up creates the stack with every output and no leaked secret", func(t *testing.T) {
		h.reset()
		if _, err := s.Up(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}
		out, err := s.Outputs(ctx)
		if err != nil {
			t.Fatalf("outputs: %v", err)
		}
		assertAllSet(t, out)
		presharedKey := out.PresharedKey.Reveal()
		if !strings.HasSuffix(out.Endpoint, ":443") {
			t.Errorf("endpoint = %q, want host:443", out.Endpoint)
		}
		if !strings.Contains(out.CACertificate, "BEGIN CERTIFICATE") {
			t.Errorf("caCertificate is not a PEM certificate (dev uses the private CA)")
		}
		raw, err := s.Raw().Outputs(ctx)
		if err != nil {
			t.Fatalf("raw outputs: %v", err)
		}
		for name, v := range raw {
			if v.Secret != (name == "presharedKey") {
				t.Errorf("output %s: secret = %v, want %v", name, v.Secret, name == "presharedKey")
			}
		}
		secrets = h.env.LiveSecrets()
		minSecrets(t, secrets, 6) // 2 passwords, 2 secret values, 2 TLS keys
		t.Logf("checking %d live secret values for leaks", len(secrets))
		if !slices.Contains(secrets, presharedKey) {
			t.Errorf("the presharedKey output is not the generated key that lives in the cloud")
		}
		for name, v := range raw {
			if name == "presharedKey" {
				continue
			}
			b, _ := json.Marshal(v.Value)
			testkit.AssertNoSecret(t, "output "+name, string(b), secrets)
		}
		testkit.AssertFilesHoldNoSecret(t, h.env.StateDir, secrets)
		testkit.AssertFilesHoldNoSecret(t, h.env.ProjectDir, secrets)
		testkit.AssertNoSecret(t, "progress output", h.progress.String(), secrets)
		testkit.AssertNoSecret(t, "engine events", h.eventsJSON(t), secrets)
	})

	step("second up changes nothing", func(t *testing.T) {
		h.upChangesNothing(t, s)
	})

	step("refresh finds no drift", func(t *testing.T) {
		h.reset()
		res, err := s.Refresh(ctx)
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if changes := testkit.ChangedOps(res.Summary.ResourceChanges); len(changes) != 0 {
			t.Errorf("refresh changed %v, want only same", changes)
		}
	})

	step("version bump rolls only image, task definitions, gate and service", func(t *testing.T) {
		before := serveImage(t, cloud)
		h.reset()
		s = h.open(t, "dev", map[string]string{"spicedb.version": "v1.56.3"}, nil)
		if _, err := s.Preview(ctx); err != nil {
			t.Fatalf("preview: %v", err)
		}
		// The image is the awsx component's output: it shows as a new digest
		// in the task definitions, not as a step of its own.
		want := []string{
			"replace " + typeTaskDefinition + "::spicedb-migrate",
			"replace " + typeTaskDefinition + "::spicedb-serve",
			"replace " + typeCommand + "::spicedb-migrate-gate",
			"update " + typeEcsService + "::spicedb-svc",
		}
		if got := replaceSteps(h.steps()); !reflect.DeepEqual(got, want) {
			t.Errorf("preview steps:\n  got  %v\n  want %v", got, want)
		}
		h.reset()
		if _, err := s.Up(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}
		after := serveImage(t, cloud)
		if after == before || !strings.Contains(after, "@sha256:") {
			t.Errorf("serve image %q → %q, want a new digest-pinned image", before, after)
		}
		for _, e := range cloud.Events() {
			if !slices.Contains([]string{typeTaskDefinition, typeCommand, typeEcsService}, e.Type) {
				t.Errorf("version bump touched %s %s", e.Op, e.URN)
			}
		}
		assertNothingReplaced(t, cloud, dataHolders)
		assertGateRanOnceBeforeService(t, cloud)
	})

	step("instance class change updates the database in place", func(t *testing.T) {
		id := liveOne(t, cloud, typeRdsInstance).ID
		h.reset()
		s = h.open(t, "dev", map[string]string{"database.instanceClass": "db.t4g.small"}, nil)
		if _, err := s.Preview(ctx); err != nil {
			t.Fatalf("preview: %v", err)
		}
		want := []string{"update " + typeRdsInstance + "::spicedb-db"}
		if got := h.steps(); !reflect.DeepEqual(got, want) {
			t.Errorf("preview steps:\n  got  %v\n  want %v", got, want)
		}
		h.reset()
		if _, err := s.Up(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}
		want = []string{"update " + typeRdsInstance}
		var got []string
		for _, e := range cloud.Events() {
			got = append(got, string(e.Op)+" "+e.Type)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("cloud saw %v, want %v", got, want)
		}
		db := liveOne(t, cloud, typeRdsInstance)
		if db.ID != id || fmt.Sprint(db.Outputs["instanceClass"].V) != "db.t4g.small" {
			t.Errorf("database after up: id %s (was %s), class %v; want the same instance, db.t4g.small", db.ID, id, db.Outputs["instanceClass"].V)
		}
	})

	step("destroy empties the stack and the cloud", func(t *testing.T) {
		h.reset()
		if _, err := s.Destroy(ctx); err != nil {
			t.Fatalf("destroy: %v", err)
		}
		if live := cloud.Live(); len(live) != 0 {
			t.Errorf("%d resources still live after destroy", len(live))
		}
		if n := stateResources(t, s); len(n) != 0 {
			t.Errorf("state still holds %v", n)
		}
		testkit.AssertFilesHoldNoSecret(t, h.env.StateDir, secrets)
		testkit.AssertNoSecret(t, "progress output", h.progress.String(), secrets)
	})
}

// assertAllSet wants every field of the typed outputs filled.
func assertAllSet(t *testing.T, out automation.Outputs) {
	t.Helper()
	v := reflect.ValueOf(out)
	for i := range v.NumField() {
		name, f := v.Type().Field(i).Name, v.Field(i).Interface()
		switch f := f.(type) {
		case string:
			if f == "" {
				t.Errorf("output %s is empty", name)
			}
		case []string:
			if len(f) == 0 {
				t.Errorf("output %s is empty", name)
			}
		case automation.Secret:
			if f.Reveal() == "" {
				t.Errorf("output %s is empty", name)
			}
		default:
			t.Errorf("output %s has type %T that this test does not check", name, f)
		}
	}
}

// replaceSteps folds a replacement's create-replacement/delete-replaced steps
// into its replace step.
func replaceSteps(steps []string) []string {
	var out []string
	for _, s := range steps {
		if !strings.HasPrefix(s, "create-replacement ") && !strings.HasPrefix(s, "delete-replaced ") {
			out = append(out, s)
		}
	}
	return out
}

func liveOne(t *testing.T, cloud *fakeproviders.Cloud, typ string) fakeproviders.LiveResource {
	t.Helper()
	rs := cloud.LiveOfType(typ)
	if len(rs) != 1 {
		t.Fatalf("%d live %s, want 1", len(rs), typ)
	}
	return rs[0]
}

// serveImage is the image the live serve task definition runs.
func serveImage(t *testing.T, cloud *fakeproviders.Cloud) string {
	t.Helper()
	for _, td := range cloud.LiveOfType(typeTaskDefinition) {
		if !strings.HasSuffix(td.URN, "::spicedb-serve") {
			continue
		}
		var containers []struct{ Name, Image string }
		if err := json.Unmarshal([]byte(fmt.Sprint(td.Inputs["containerDefinitions"].V)), &containers); err != nil {
			t.Fatalf("serve containerDefinitions: %v", err)
		}
		for _, c := range containers {
			if c.Name == "spicedb" {
				return c.Image
			}
		}
	}
	t.Fatalf("no live serve task definition with a spicedb container")
	return ""
}

func assertNothingReplaced(t *testing.T, cloud *fakeproviders.Cloud, types []string) {
	t.Helper()
	for _, e := range cloud.Events() {
		if slices.Contains(types, e.Type) && (e.Op == fakeproviders.OpReplace || e.Op == fakeproviders.OpDelete) {
			t.Errorf("%s %s: it holds data and must not be replaced", e.Op, e.URN)
		}
		if strings.Contains(e.URN, "spicedb-ecs:database:Database") || strings.Contains(e.URN, "spicedb-ecs:network:Network") {
			t.Errorf("%s %s: the database and network must stay untouched", e.Op, e.URN)
		}
	}
}

// assertGateRanOnceBeforeService wants exactly one migration run, finished
// before the ECS service moved to the new task definition.
func assertGateRanOnceBeforeService(t *testing.T, cloud *fakeproviders.Cloud) {
	t.Helper()
	var runs []fakeproviders.CommandRun
	for _, r := range cloud.CommandRuns() {
		if r.Op != fakeproviders.OpDelete {
			runs = append(runs, r)
		}
	}
	if len(runs) != 1 || !strings.HasSuffix(runs[0].URN, "::spicedb-migrate-gate") {
		t.Errorf("migration runs = %+v, want exactly one of the gate", runs)
	}
	gate, svc := -1, -1
	for i, e := range cloud.Events() {
		switch {
		case e.Type == typeCommand && e.Op == fakeproviders.OpCreate:
			gate = i
		case e.Type == typeEcsService && e.Op == fakeproviders.OpUpdate:
			svc = i
		}
	}
	if gate < 0 || svc < 0 || gate > svc {
		t.Errorf("gate run at event %d, service update at %d: want the migration before the rollout", gate, svc)
	}
}

// stateResources lists the URNs in the stack's state.
func stateResources(t *testing.T, s *automation.Stack) []string {
	t.Helper()
	dep, err := s.Raw().Export(context.Background())
	if err != nil {
		t.Fatalf("export state: %v", err)
	}
	var state struct {
		Resources []struct {
			URN  string `json:"urn"`
			Type string `json:"type"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(dep.Deployment, &state); err != nil {
		t.Fatalf("decode state: %v", err)
	}
	var out []string
	for _, r := range state.Resources {
		out = append(out, r.URN)
	}
	return out
}
