package rehearsal

import (
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/spicedb-ecs/spicedb-ecs/internal/testkit"
)

// stackPlan is the real rendering of a stack: each call is a fresh mock run
// of the program (milliseconds) with freshly generated secrets, so callers
// may mutate what they get.
func stackPlan(t *testing.T, stack string) Plan {
	t.Helper()
	p, err := PlanFromStack(testkit.RepoRoot(t), stack, nil)
	if err != nil {
		t.Fatalf("plan from stack %s: %v", stack, err)
	}
	return p
}

func devPlan(t *testing.T) Plan { return stackPlan(t, "dev") }

// dispatchPlan is the dev rendering with spicedb.dispatch on (off by default).
func dispatchPlan(t *testing.T) Plan {
	t.Helper()
	p, err := PlanFromStack(testkit.RepoRoot(t), "dev", map[string]string{"spicedb-ecs:spicedb": `{"dispatch":true}`})
	if err != nil {
		t.Fatalf("plan from stack dev with dispatch: %v", err)
	}
	return p
}

// secretARN is the valueFrom of a container's secret variable.
func secretARN(t *testing.T, def types.ContainerDefinition, name string) string {
	t.Helper()
	for _, s := range def.Secrets {
		if deref(s.Name) == name {
			return deref(s.ValueFrom)
		}
	}
	t.Fatalf("container %s has no secret %s", containerName(def), name)
	return ""
}

// envValue is the plain value of a container's environment variable.
func envValue(t *testing.T, def types.ContainerDefinition, name string) string {
	t.Helper()
	for _, kv := range def.Environment {
		if deref(kv.Name) == name {
			return deref(kv.Value)
		}
	}
	t.Fatalf("container %s has no environment variable %s", containerName(def), name)
	return ""
}

// secretsOf lists the strings that must never appear in any output: every
// secret value, and the password inside each datastore URI on its own.
func secretsOf(p Plan) []string {
	var out []string
	for _, v := range p.SecretValues {
		out = append(out, v)
		if u, err := url.Parse(v); err == nil {
			if pw, ok := u.User.Password(); ok && pw != "" {
				out = append(out, pw)
			}
		}
	}
	return out
}
