package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/spicedb-ecs/spicedb-ecs/automation/enginetest"
	"github.com/spicedb-ecs/spicedb-ecs/internal/testkit"
)

// TestStackCommands drives up, outputs, destroy through the CLI's dispatch
// against the real engine on the fake cloud.
func TestStackCommands(t *testing.T) {
	env := enginetest.New(t)
	for k, v := range env.Vars {
		t.Setenv(k, v)
	}
	run := func(t *testing.T, args ...string) (code int, stdout, stderr string) {
		t.Helper()
		var out, errOut strings.Builder
		args = append(args, "--stack", "dev", "--project-dir", env.ProjectDir)
		code = dispatch(context.Background(), commands, args, &out, &errOut)
		return code, out.String(), errOut.String()
	}
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	step("up", func(t *testing.T) {
		code, stdout, stderr := run(t, "up")
		if code != exitOK {
			t.Fatalf("up exit code %d\nstderr: %s", code, stderr)
		}
		if !strings.Contains(stdout, "Updating (dev)") {
			t.Errorf("up printed no progress:\n%s", stdout)
		}
		assertNoLiveSecret(t, env, "up's output", stdout+stderr)
	})

	var key string
	step("outputs masks the preshared key", func(t *testing.T) {
		code, stdout, stderr := run(t, "outputs")
		if code != exitOK {
			t.Fatalf("outputs exit code %d\nstderr: %s", code, stderr)
		}
		out := decodeOutputs(t, stdout)
		if out["presharedKey"] != "[secret]" {
			t.Errorf("presharedKey = %q, want [secret]", out["presharedKey"])
		}
		if out["endpoint"] == "" || out["clusterName"] == "" {
			t.Errorf("outputs lack endpoint or clusterName:\n%s", stdout)
		}
		assertNoLiveSecret(t, env, "outputs", stdout+stderr)
	})

	step("outputs --show-secrets reveals it", func(t *testing.T) {
		code, stdout, stderr := run(t, "outputs", "--show-secrets")
		if code != exitOK {
			t.Fatalf("outputs exit code %d\nstderr: %s", code, stderr)
		}
		key = decodeOutputs(t, stdout)["presharedKey"]
		if key == "" || key == "[secret]" || !slices.Contains(env.LiveSecrets(), key) {
			t.Errorf("presharedKey (%d characters) is not the generated key", len(key))
		}
	})

	step("destroy", func(t *testing.T) {
		code, _, stderr := run(t, "destroy")
		if code != exitOK {
			t.Fatalf("destroy exit code %d\nstderr: %s", code, stderr)
		}
		if live := env.Cloud.Live(); len(live) != 0 {
			t.Errorf("%d resources live after destroy", len(live))
		}
	})

	step("up with invalid config fails naming the key", func(t *testing.T) {
		env.Cloud.ResetLedger()
		code, _, stderr := run(t, "up", "--config", "network.vpcCidr=10.0.0.0")
		if code != exitFailure {
			t.Errorf("exit code %d, want %d", code, exitFailure)
		}
		if !strings.Contains(stderr, `network.vpcCidr: "10.0.0.0" is not usable`) {
			t.Errorf("stderr does not name the key:\n%s", stderr)
		}
		if ev := env.Cloud.Events(); len(ev) != 0 {
			t.Errorf("invalid config reached the cloud: %+v", ev)
		}
	})

	step("outputs without --stack is a usage error", func(t *testing.T) {
		var out, errOut strings.Builder
		if code := dispatch(context.Background(), commands, []string{"outputs"}, &out, &errOut); code != exitUsage {
			t.Errorf("exit code %d, want %d", code, exitUsage)
		}
	})
}

func decodeOutputs(t *testing.T, stdout string) map[string]string {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatalf("outputs is not JSON: %v\n%s", err, stdout)
	}
	out := map[string]string{}
	for k, v := range raw {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

func assertNoLiveSecret(t *testing.T, env *enginetest.Env, where, text string) {
	t.Helper()
	secrets := env.LiveSecrets()
	if len(secrets) == 0 {
		t.Fatalf("no live secrets to look for in %s", where)
	}
	testkit.AssertNoSecret(t, where, text, secrets)
}
