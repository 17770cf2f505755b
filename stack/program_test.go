package stack

import (
	"testing"

	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
)

// runStack runs the whole program as a stack under mocks.
func runStack(t *testing.T, stackName string, overrides map[string]string) (*pulumimock.Mocks, error) {
	t.Helper()
	opts, err := pulumimock.StackOptions(repoRoot, stackName, fullKeys(overrides))
	if err != nil {
		t.Fatal(err)
	}
	return pulumimock.Run(Program, opts)
}

func TestComposeSmoke(t *testing.T) {
	for _, name := range []string{"dev", "prod"} {
		m, err := runStack(t, name, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		counts := map[string]int{}
		for _, r := range m.Resources() {
			counts[r.Type]++
		}
		t.Logf("%s: %d resources %v", name, len(m.Resources()), counts)
	}
}
