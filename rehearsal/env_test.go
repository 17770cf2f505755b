package rehearsal

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestResolveEnvMergesEnvironmentAndSecrets(t *testing.T) {
	p := devPlan(t)
	env, err := ResolveEnv(p.Serve, p.SecretValues)
	if err != nil {
		t.Fatal(err)
	}
	if len(env) != len(p.Serve.Environment)+len(p.Serve.Secrets) {
		t.Fatalf("env has %d vars, want %d", len(env), len(p.Serve.Environment)+len(p.Serve.Secrets))
	}
	if v, _ := env.Get("SPICEDB_GRPC_PRESHARED_KEY"); v != p.SecretValues[secretARN(t, p.Serve, "SPICEDB_GRPC_PRESHARED_KEY")] {
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
		mutate func(*testing.T, *Plan)
		want   string
	}{
		{"unknown secret", func(t *testing.T, p *Plan) {
			delete(p.SecretValues, secretARN(t, p.Serve, "SPICEDB_GRPC_PRESHARED_KEY"))
		}, "has no value in the plan"},
		{"duplicate name", func(_ *testing.T, p *Plan) {
			p.Serve.Environment = append(p.Serve.Environment, types.KeyValuePair{Name: aws.String("SPICEDB_GRPC_PRESHARED_KEY"), Value: aws.String("x")})
		}, "defined twice"},
		{"environment file", func(_ *testing.T, p *Plan) {
			p.Serve.EnvironmentFiles = []types.EnvironmentFile{{Value: aws.String("arn:aws:s3:::b/f.env")}}
		}, "environmentFiles"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := devPlan(t)
			secrets := secretsOf(p)
			c.mutate(t, &p)
			_, err := ResolveEnv(p.Serve, p.SecretValues)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want containing %q", err, c.want)
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error leaks a secret")
				}
			}
		})
	}
}

func TestPrepareContainerPointsDatastoreAtLocalPostgres(t *testing.T) {
	p := devPlan(t)
	uriARN := secretARN(t, p.Migrate, "SPICEDB_DATASTORE_CONN_URI")
	rendered, err := url.Parse(p.SecretValues[uriARN])
	if err != nil || !strings.HasSuffix(rendered.Hostname(), ".rds.amazonaws.com") || rendered.Port() != "5432" {
		t.Fatalf("rendered datastore URI does not point at RDS (%v)", err)
	}
	// The generated password is URI-safe; this one is not, and the role name
	// needs escaping too, to prove the rewrite keeps every part intact.
	const password = "p@ss/w:rd%?&'"
	p.SecretValues[uriARN] = "postgres://spice%20db:p%40ss%2Fw%3Ard%25%3F%26%27@" + rendered.Host + "/spicedb?sslmode=require&connect_timeout=5"
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
	for _, s := range []string{uri, password, p.SecretValues[uriARN]} {
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
		mutate func(*Plan, string)
		want   string
	}{
		{"memory engine", func(p *Plan, _ string) { setEnv(&p.Migrate, "SPICEDB_DATASTORE_ENGINE", "memory") }, "postgres only"},
		{"foreign entrypoint", func(p *Plan, _ string) { p.Migrate.EntryPoint = []string{"/bin/sh", "-c"} }, "entryPoint"},
		{"no command", func(p *Plan, _ string) { p.Migrate.Command = nil }, "no command"},
		{"not a URI", func(p *Plan, uriARN string) { p.SecretValues[uriARN] = "host=x password=secret" }, "scheme"},
		{"no database", func(p *Plan, uriARN string) { p.SecretValues[uriARN] = "postgres://u:pw@h:5432" }, "no database"},
		{"no URI", func(p *Plan, _ string) { p.Migrate.Secrets = nil }, "SPICEDB_DATASTORE_CONN_URI is not set"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := devPlan(t)
			c.mutate(&p, secretARN(t, p.Migrate, "SPICEDB_DATASTORE_CONN_URI"))
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
