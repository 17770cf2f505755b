package rehearsal

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestResolveEnvMergesEnvironmentAndSecrets(t *testing.T) {
	p := testPlan(t)
	env, err := ResolveEnv(p.Serve, p.SecretValues)
	if err != nil {
		t.Fatal(err)
	}
	if len(env) != len(p.Serve.Environment)+len(p.Serve.Secrets) {
		t.Fatalf("env has %d vars, want %d", len(env), len(p.Serve.Environment)+len(p.Serve.Secrets))
	}
	if v, _ := env.Get("SPICEDB_GRPC_PRESHARED_KEY"); v != p.SecretValues[testKeyARN] {
		t.Errorf("preshared key not resolved")
	}
	if v, ok := env.Get("SPICEDB_TELEMETRY_ENDPOINT"); !ok || v != "" {
		t.Errorf("empty variable must stay set and empty, got %q %v", v, ok)
	}
	masked := strings.Join(env.Masked(), "\n")
	for _, s := range secretsOf(p) {
		if strings.Contains(masked, s) {
			t.Errorf("Masked() leaks a secret")
		}
	}
	if !strings.Contains(masked, "SPICEDB_GRPC_PRESHARED_KEY=****") || !strings.Contains(masked, "SPICEDB_GRPC_ADDR=:50051") {
		t.Errorf("Masked() = %s", masked)
	}
}

func TestResolveEnvErrors(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*types.ContainerDefinition, map[string]string)
		want   string
	}{
		{"unknown secret", func(d *types.ContainerDefinition, s map[string]string) { delete(s, testKeyARN) }, "has no value in the plan"},
		{"duplicate name", func(d *types.ContainerDefinition, _ map[string]string) {
			d.Environment = append(d.Environment, types.KeyValuePair{Name: aws.String("SPICEDB_GRPC_PRESHARED_KEY"), Value: aws.String("x")})
		}, "defined twice"},
		{"environment file", func(d *types.ContainerDefinition, _ map[string]string) {
			d.EnvironmentFiles = []types.EnvironmentFile{{Value: aws.String("arn:aws:s3:::b/f.env")}}
		}, "environmentFiles"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := testPlan(t)
			c.mutate(&p.Serve, p.SecretValues)
			_, err := ResolveEnv(p.Serve, p.SecretValues)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want containing %q", err, c.want)
			}
			for _, s := range secretsOf(testPlan(t)) {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error leaks a secret")
				}
			}
		})
	}
}

func TestPrepareContainerPointsDatastoreAtLocalPostgres(t *testing.T) {
	p := testPlan(t)
	const password = "p@ss/w:rd%?&'"
	p.SecretValues[testURIARN] = "postgres://spice%20db:p%40ss%2Fw%3Ard%25%3F%26%27@" + testRDS + "/spicedb?sslmode=require&connect_timeout=5"
	c, err := PrepareContainer(p.Migrate, p.SecretValues, "127.0.0.1:6543")
	if err != nil {
		t.Fatal(err)
	}
	uri, _ := c.Env.Get("SPICEDB_DATASTORE_CONN_URI")
	if !strings.Contains(uri, "@127.0.0.1:6543/spicedb?") || strings.Contains(uri, "rds.amazonaws.com") {
		t.Errorf("URI not pointed at local postgres: %s", c.Redact(uri))
	}
	if !strings.Contains(uri, "sslmode=require") || !strings.Contains(uri, "connect_timeout=5") {
		t.Errorf("query lost: %s", c.Redact(uri))
	}
	want := DatastoreLogin{User: "spice db", Password: password, Database: "spicedb"}
	if len(c.Logins) != 1 || c.Logins[0] != want {
		t.Errorf("logins = %+v, want [%+v]", c.Logins, want)
	}
	for _, s := range []string{uri, password, p.SecretValues[testURIARN]} {
		if got := c.Redact("x " + s + " y"); got != "x **** y" {
			t.Errorf("Redact did not mask a secret form: %q", got)
		}
	}
	if got := c.describe(); strings.Contains(got, "p%40ss") || strings.Contains(got, password) {
		t.Errorf("describe leaks: %s", got)
	}
	if want := []string{"datastore", "migrate", "head"}; strings.Join(c.Args, " ") != strings.Join(want, " ") {
		t.Errorf("args %q, want %q", c.Args, want)
	}
}

func TestPrepareContainerErrors(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Plan)
		want   string
	}{
		{"memory engine", func(p *Plan) { p.Migrate.Environment[0].Value = aws.String("memory") }, "postgres only"},
		{"foreign entrypoint", func(p *Plan) { p.Migrate.EntryPoint = []string{"/bin/sh", "-c"} }, "entryPoint"},
		{"no command", func(p *Plan) { p.Migrate.Command = nil }, "no command"},
		{"not a URI", func(p *Plan) { p.SecretValues[testURIARN] = "host=x password=secret" }, "scheme"},
		{"no database", func(p *Plan) { p.SecretValues[testURIARN] = "postgres://u:pw@h:5432" }, "no database"},
		{"no URI", func(p *Plan) { p.Migrate.Secrets = nil }, "SPICEDB_DATASTORE_CONN_URI is not set"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := testPlan(t)
			c.mutate(&p)
			_, err := PrepareContainer(p.Migrate, p.SecretValues, "127.0.0.1:1")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want containing %q", err, c.want)
			}
			for _, s := range secretsOf(p) {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error leaks a secret")
				}
			}
		})
	}
}
