package rehearsal

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
	"github.com/spicedb-ecs/spicedb-ecs/internal/testkit"
	"github.com/spicedb-ecs/spicedb-ecs/stack"
)

func TestPlanFromStackReadsTheRendering(t *testing.T) {
	cases := []struct {
		stack         string
		serveMemory   int32
		serveMemLimit string
	}{
		{"dev", 1024, "870MiB"},
		{"prod", 2048, "1740MiB"},
	}
	for _, c := range cases {
		t.Run(c.stack, func(t *testing.T) {
			p := stackPlan(t, c.stack)
			if err := p.Validate(); err != nil {
				t.Fatalf("rendered plan invalid: %v", err)
			}
			if got := containerName(p.Serve); got != ServeContainer || !slices.Equal(p.Serve.Command, []string{"serve"}) {
				t.Errorf("serve container %s %q", got, p.Serve.Command)
			}
			if got := containerName(p.Migrate); got != MigrateContainer || !slices.Equal(p.Migrate.Command, []string{"datastore", "migrate", "head"}) {
				t.Errorf("migrate container %s %q", got, p.Migrate.Command)
			}
			if p.Serve.Memory == nil || *p.Serve.Memory != c.serveMemory {
				t.Errorf("serve memory %v, want %d", p.Serve.Memory, c.serveMemory)
			}
			if got := envValue(t, p.Serve, "GOMEMLIMIT"); got != c.serveMemLimit {
				t.Errorf("serve GOMEMLIMIT %s, want %s", got, c.serveMemLimit)
			}
			var ports []int32
			for _, pm := range p.Serve.PortMappings {
				ports = append(ports, *pm.ContainerPort)
			}
			if !slices.Equal(ports, []int32{50051, 8443, 9090}) { // dispatch (50053) is off by default
				t.Errorf("serve ports %v", ports)
			}

			keyARN := secretARN(t, p.Serve, "SPICEDB_GRPC_PRESHARED_KEY")
			uriARN := secretARN(t, p.Serve, "SPICEDB_DATASTORE_CONN_URI")
			if migrateURI := secretARN(t, p.Migrate, "SPICEDB_DATASTORE_CONN_URI"); migrateURI != uriARN {
				t.Errorf("serve and migrate read different datastore secrets")
			}
			if len(p.SecretValues) != 2 || p.SecretValues[keyARN] == "" {
				t.Errorf("secret values for %d ARNs, key set: %v", len(p.SecretValues), p.SecretValues[keyARN] != "")
			}
			u, err := url.Parse(p.SecretValues[uriARN])
			if err != nil {
				t.Fatal("datastore URI does not parse") // the error would quote it
			}
			pw, hasPW := u.User.Password()
			if u.Scheme != "postgres" || u.User.Username() != "spicedb" || !hasPW || pw == "" || u.Path != "/spicedb" ||
				u.Query().Get("sslmode") != "require" || !strings.HasSuffix(u.Hostname(), ".rds.amazonaws.com") || u.Port() != "5432" {
				t.Errorf("datastore URI is not postgres://spicedb:<password>@<rds>:5432/spicedb?sslmode=require (host %s)", u.Host)
			}

			wantListener := ListenerSpec{Port: 443, Protocol: "TLS", SslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", AlpnPolicy: "HTTP2Only"}
			if p.Listener != wantListener {
				t.Errorf("listener %+v, want %+v", p.Listener, wantListener)
			}
			wantTG := TargetGroupSpec{
				Port: 50051, Protocol: "TCP", ContainerPort: 50051, DeregistrationDelaySeconds: 60,
				HealthCheck: HealthCheckSpec{
					Protocol: "HTTP", Port: "8443", Path: "/healthz", Matcher: "200",
					IntervalSeconds: 10, TimeoutSeconds: 5, HealthyThreshold: 2, UnhealthyThreshold: 2,
				},
			}
			if p.TargetGroup != wantTG {
				t.Errorf("target group %+v, want %+v", p.TargetGroup, wantTG)
			}
		})
	}
}

func TestPlanFromStackAppliesOverrides(t *testing.T) {
	p, err := PlanFromStack(testkit.RepoRoot(t), "dev", map[string]string{"spicedb-ecs:spicedb": `{"logLevel":"debug"}`})
	if err != nil {
		t.Fatal(err)
	}
	for _, def := range []struct {
		name string
		got  string
	}{{"serve", envValue(t, p.Serve, "SPICEDB_LOG_LEVEL")}, {"migrate", envValue(t, p.Migrate, "SPICEDB_LOG_LEVEL")}} {
		if def.got != "debug" {
			t.Errorf("%s SPICEDB_LOG_LEVEL = %s, want debug", def.name, def.got)
		}
	}
}

func TestPlanFromStackErrors(t *testing.T) {
	cases := []struct {
		name, stack string
		overrides   map[string]string
		want        string
	}{
		{"no such stack file", "nosuch", nil, "Pulumi.nosuch.yaml"},
		{"configuration the program rejects", "dev", map[string]string{"spicedb-ecs:spicedb": `{"cpu":3}`}, "render stack dev"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := PlanFromStack(testkit.RepoRoot(t), c.stack, c.overrides)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want containing %q", err, c.want)
			}
		})
	}
}

// TestPlanFromResourcesErrors edits one registration of a real dev run at a
// time, as a changed program would, and expects a clear refusal that names
// what is wrong and shows no secret.
func TestPlanFromResourcesErrors(t *testing.T) {
	m, err := pulumimock.RunStack(stack.Program, testkit.RepoRoot(t), "dev", nil)
	if err != nil {
		t.Fatal(err)
	}
	rendered := m.Resources()
	good, err := planFromResources(rendered)
	if err != nil {
		t.Fatalf("the unedited run must yield a plan: %v", err)
	}
	keyARN := secretARN(t, good.Serve, "SPICEDB_GRPC_PRESHARED_KEY")

	is := func(typ, name string) func(pulumimock.Resource) bool {
		return func(r pulumimock.Resource) bool { return r.Type == typ && r.Name == name }
	}
	isVersionOf := func(arn string) func(pulumimock.Resource) bool {
		return func(r pulumimock.Resource) bool {
			return r.Type == typeSecretVersion && plainString(r.Inputs["secretId"]) == arn
		}
	}
	setInput := func(key string, v resource.PropertyValue) func(*pulumimock.Resource) {
		return func(r *pulumimock.Resource) {
			r.Inputs = r.Inputs.Copy()
			r.Inputs[resource.PropertyKey(key)] = v
		}
	}
	// editContainers rewrites the containerDefinitions JSON generically.
	editContainers := func(edit func([]map[string]any) []map[string]any) func(*pulumimock.Resource) {
		return func(r *pulumimock.Resource) {
			var defs []map[string]any
			if err := json.Unmarshal([]byte(plainString(r.Inputs["containerDefinitions"])), &defs); err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(edit(defs))
			if err != nil {
				t.Fatal(err)
			}
			setInput("containerDefinitions", resource.NewProperty(string(b)))(r)
		}
	}
	editHealthCheck := func(r *pulumimock.Resource) {
		hc := r.Inputs["healthCheck"].ObjectValue().Copy()
		delete(hc, "interval")
		setInput("healthCheck", resource.NewProperty(hc))(r)
	}

	cases := []struct {
		name  string
		match func(pulumimock.Resource) bool
		edit  func(*pulumimock.Resource) // nil: drop the registration
		dup   bool                       // keep it and add an edited copy
		want  string
	}{
		{"serve task definition missing", is(typeTaskDefinition, ServeTaskDefinition), nil, false,
			"no aws:ecs/taskDefinition:TaskDefinition named spicedb-serve"},
		{"migration task definition registered twice", is(typeTaskDefinition, MigrateTaskDefinition), func(*pulumimock.Resource) {}, true,
			"2 registrations of aws:ecs/taskDefinition:TaskDefinition named spicedb-migrate"},
		{"field the ECS types do not know", is(typeTaskDefinition, ServeTaskDefinition), editContainers(func(d []map[string]any) []map[string]any {
			d[0]["restartPolicy2"] = map[string]any{"enabled": true}
			return d
		}), false, `unknown field "restartPolicy2"`},
		{"sidecar container", is(typeTaskDefinition, ServeTaskDefinition), editContainers(func(d []map[string]any) []map[string]any {
			return append(d, map[string]any{"name": "envoy", "image": "envoy"})
		}), false, `containers ["spicedb" "envoy"], want exactly "spicedb"`},
		{"containerDefinitions is a secret", is(typeTaskDefinition, MigrateTaskDefinition), func(r *pulumimock.Resource) {
			setInput("containerDefinitions", resource.MakeSecret(r.Inputs["containerDefinitions"]))(r)
		}, false, "containerDefinitions is a Pulumi secret"},
		{"preshared key never written", isVersionOf(keyARN), nil, false,
			"secret SPICEDB_GRPC_PRESHARED_KEY: no aws:secretsmanager/secretVersion:SecretVersion with secretId " + keyARN},
		{"preshared key written twice", isVersionOf(keyARN), func(*pulumimock.Resource) {}, true,
			"ambiguous"},
		{"secretString not a secret", isVersionOf(keyARN), func(r *pulumimock.Resource) {
			setInput("secretString", resource.NewProperty(pulumimock.Plain(r.Inputs["secretString"]).(string)))(r)
		}, false, "secretString is not a Pulumi secret"},
		{"service runs another task definition", func(r pulumimock.Resource) bool { return r.Type == typeService }, setInput("taskDefinition", resource.NewProperty("arn:other")), false,
			"no aws:ecs/service:Service running"},
		{"listener missing", func(r pulumimock.Resource) bool { return r.Type == typeListener }, nil, false,
			"no aws:lb/listener:Listener forwarding to"},
		{"health check interval left to AWS", func(r pulumimock.Resource) bool { return r.Type == typeTargetGroup }, editHealthCheck, false,
			"interval is not set"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var rs []pulumimock.Resource
			matched := 0
			for _, r := range rendered {
				if !c.match(r) {
					rs = append(rs, r)
					continue
				}
				matched++
				if c.dup {
					rs = append(rs, r)
				}
				if c.edit != nil {
					c.edit(&r)
					rs = append(rs, r)
				}
			}
			if matched != 1 {
				t.Fatalf("the case matches %d registrations, want 1", matched)
			}
			_, err := planFromResources(rs)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want containing %q", err, c.want)
			}
			for _, s := range secretsOf(good) {
				if strings.Contains(err.Error(), s) {
					t.Errorf("the error shows a secret value")
				}
			}
		})
	}
}

func TestDecodeContainerDefinitionsIsStrict(t *testing.T) {
	cases := []struct{ name, raw, want string }{
		{"trailing data", `[{"name":"a"}] [{"name":"b"}]`, "trailing data"},
		{"not an array", `{"name":"a"}`, "cannot unmarshal"},
		{"unknown field", `[{"name":"a","colour":"blue"}]`, `unknown field "colour"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := decodeContainerDefinitions(c.raw); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want containing %q", err, c.want)
			}
		})
	}
}

func TestPlanFormattingMasksSecrets(t *testing.T) {
	p := devPlan(t)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		got := fmt.Sprintf(verb, p)
		for _, s := range secretsOf(p) {
			if strings.Contains(got, s) {
				t.Errorf("%s shows a secret value", verb)
			}
		}
		if !strings.Contains(got, "spicedb-migrate") {
			t.Errorf("%s says nothing useful: %s", verb, got)
		}
	}
}
