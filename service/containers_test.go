package service

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// TestContainerDefinitionsMatchTheECSAPIShape decodes the rendered JSON of
// both task definitions into the AWS SDK's ContainerDefinition, rejecting
// unknown fields, and additionally requires every key to be spelt exactly
// as the API member (encoding/json alone matches case-insensitively).
func TestContainerDefinitionsMatchTheECSAPIShape(t *testing.T) {
	run := mustRunService(t, svcTestArgs(nil))
	for _, td := range []string{"spicedb-serve", "spicedb-migrate"} {
		t.Run(td, func(t *testing.T) {
			raw, _ := run.containerDefinitions(t, td)
			dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
			dec.DisallowUnknownFields()
			var defs []ecstypes.ContainerDefinition
			if err := dec.Decode(&defs); err != nil {
				t.Fatalf("strict decode into ecs types: %v", err)
			}
			if len(defs) != 1 {
				t.Fatalf("want 1 container, got %d", len(defs))
			}
			var generic any
			if err := json.Unmarshal([]byte(raw), &generic); err != nil {
				t.Fatal(err)
			}
			checkExactAPIKeys(t, "containerDefinitions", generic, reflect.TypeOf([]ecstypes.ContainerDefinition{}))
		})
	}
}

// checkExactAPIKeys walks a decoded JSON value alongside the SDK type and
// fails for keys that are not exactly the lowerCamel API member name.
func checkExactAPIKeys(t *testing.T, path string, v any, typ reflect.Type) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch val := v.(type) {
	case []any:
		if typ.Kind() != reflect.Slice {
			t.Errorf("%s: JSON array where the API has %s", path, typ)
			return
		}
		for _, e := range val {
			checkExactAPIKeys(t, path+"[]", e, typ.Elem())
		}
	case map[string]any:
		if typ.Kind() == reflect.Map {
			return // free-form (log options): any key is allowed
		}
		for key, e := range val {
			field, ok := apiMember(typ, key)
			if !ok {
				t.Errorf("%s.%s: no API member spelt exactly like this in %s", path, key, typ)
				continue
			}
			checkExactAPIKeys(t, path+"."+key, e, field.Type)
		}
	}
}

func apiMember(typ reflect.Type, key string) (reflect.StructField, bool) {
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		r := []rune(f.Name)
		r[0] = unicode.ToLower(r[0])
		if string(r) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func envMap(t *testing.T, c containerDefinition) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, kv := range c.Environment {
		if _, dup := out[kv.Name]; dup {
			t.Errorf("%s: environment %s set twice", c.Name, kv.Name)
		}
		out[kv.Name] = kv.Value
	}
	return out
}

func TestServeContainer(t *testing.T) {
	run := mustRunService(t, svcTestArgs(func(a *Args) { a.LogLevel = "debug" }))
	_, defs := run.containerDefinitions(t, "spicedb-serve")
	c := defs[0]
	if c.Name != "spicedb" || !slices.Equal(c.Command, []string{"serve"}) || !c.Essential {
		t.Errorf("name/command/essential = %q %q %v", c.Name, c.Command, c.Essential)
	}
	env := envMap(t, c)
	want := map[string]string{
		"SPICEDB_DATASTORE_ENGINE":           "postgres",
		"SPICEDB_GRPC_ADDR":                  ":50051",
		"SPICEDB_HTTP_ENABLED":               "true",
		"SPICEDB_HTTP_ADDR":                  ":8443",
		"SPICEDB_METRICS_ADDR":               ":9090",
		"SPICEDB_LOG_FORMAT":                 "json",
		"SPICEDB_LOG_LEVEL":                  "debug",
		"SPICEDB_TELEMETRY_ENDPOINT":         "",
		"SPICEDB_SKIP_RELEASE_CHECK":         "true",
		"SPICEDB_GRPC_SHUTDOWN_GRACE_PERIOD": "20s",
		"GOMEMLIMIT":                         "870MiB",
	}
	for k, v := range want {
		if got, ok := env[k]; !ok || got != v {
			t.Errorf("environment %s = %q (set %v), want %q", k, got, ok, v)
		}
	}
	for _, k := range []string{"READ_MAX_OPEN", "READ_MIN_OPEN", "WRITE_MAX_OPEN", "WRITE_MIN_OPEN"} {
		if env["SPICEDB_DATASTORE_CONN_POOL_"+k] == "" {
			t.Errorf("connection pool %s not sized", k)
		}
	}
	for _, secretVar := range []string{envPresharedKey, envDatastoreURI} {
		if _, ok := env[secretVar]; ok {
			t.Errorf("%s must come from `secrets`, not `environment`", secretVar)
		}
	}
	var ports []int
	for _, p := range c.PortMappings {
		if p.Protocol != "tcp" {
			t.Errorf("port %d protocol %q", p.ContainerPort, p.Protocol)
		}
		ports = append(ports, p.ContainerPort)
	}
	if !slices.Equal(ports, []int{50051, 8443, 9090}) {
		t.Errorf("ports %v", ports)
	}
	hc := c.HealthCheck
	if hc == nil || !slices.Equal(hc.Command, []string{"CMD", "grpc_health_probe", "-addr=127.0.0.1:50051"}) ||
		hc.Interval < 5 || hc.Retries < 1 || hc.StartPeriod < 10 || hc.Timeout >= hc.Interval {
		t.Errorf("health check %+v", hc)
	}
	if !c.ReadonlyRootFilesystem || c.User != "65532" || c.StopTimeout < 10 || c.StopTimeout > 120 || c.Memory != 1024 {
		t.Errorf("readonly=%v user=%q stopTimeout=%d memory=%d", c.ReadonlyRootFilesystem, c.User, c.StopTimeout, c.Memory)
	}
	if len(c.Ulimits) != 1 || c.Ulimits[0].Name != "nofile" || c.Ulimits[0].SoftLimit < 4096 {
		t.Errorf("ulimits %+v", c.Ulimits)
	}
	checkAwsLogs(t, run, c, "serve")
}

func TestMigrationContainer(t *testing.T) {
	run := mustRunService(t, svcTestArgs(nil))
	_, serveDefs := run.containerDefinitions(t, "spicedb-serve")
	_, defs := run.containerDefinitions(t, "spicedb-migrate")
	c := defs[0]
	if c.Name != "spicedb-migrate" || !slices.Equal(c.Command, []string{"datastore", "migrate", "head"}) || !c.Essential {
		t.Errorf("name/command/essential = %q %q %v", c.Name, c.Command, c.Essential)
	}
	if c.Image != serveDefs[0].Image {
		t.Errorf("migration image %q differs from serve image %q", c.Image, serveDefs[0].Image)
	}
	env := envMap(t, c)
	if env["SPICEDB_DATASTORE_ENGINE"] != "postgres" {
		t.Errorf("engine %q: the default engine is memory, which would migrate nothing", env["SPICEDB_DATASTORE_ENGINE"])
	}
	if env["GOMEMLIMIT"] != "435MiB" {
		t.Errorf("GOMEMLIMIT %q for a %d MiB container", env["GOMEMLIMIT"], c.Memory)
	}
	if len(c.PortMappings) != 0 || c.HealthCheck != nil {
		t.Errorf("a one-shot migration needs no ports or health check: %+v %+v", c.PortMappings, c.HealthCheck)
	}
	if !c.ReadonlyRootFilesystem || c.User != "65532" {
		t.Errorf("readonly=%v user=%q", c.ReadonlyRootFilesystem, c.User)
	}
	checkAwsLogs(t, run, c, "migrate")
}

func checkAwsLogs(t *testing.T, run *svcRun, c containerDefinition, prefix string) {
	t.Helper()
	lg := run.one(t, "aws:cloudwatch/logGroup:LogGroup")
	want := map[string]string{
		"awslogs-group":         svcOutput(lg, "name").(string),
		"awslogs-region":        "us-east-1",
		"awslogs-stream-prefix": prefix,
		"mode":                  "non-blocking",
		"max-buffer-size":       "25m",
	}
	if c.LogConfiguration.LogDriver != "awslogs" || !reflect.DeepEqual(c.LogConfiguration.Options, want) {
		t.Errorf("%s log configuration %+v, want awslogs %v", c.Name, c.LogConfiguration, want)
	}
}

func TestGomemlimit(t *testing.T) {
	for memory, want := range map[int]string{512: "435MiB", 1024: "870MiB", 2048: "1740MiB", 30720: "26112MiB"} {
		if got := gomemlimit(memory); got != want {
			t.Errorf("gomemlimit(%d) = %q, want %q", memory, got, want)
		}
	}
}

func TestSortedEnvironmentKeepsInputAndOrdersByName(t *testing.T) {
	in := []keyValue{{"B", "1"}, {"A", "2"}, {"C", "3"}}
	got := sortedEnvironment(in)
	var names []string
	for _, kv := range got {
		names = append(names, kv.Name)
	}
	if strings.Join(names, "") != "ABC" || in[0].Name != "B" {
		t.Errorf("sorted %v, input now %v", got, in)
	}
}
