package automation_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"

	"github.com/spicedb-ecs/spicedb-ecs/internal/testkit"
)

// TestPulumiCLIMatchesSDK: the CLI the engine tests drive is the release of
// the SDK the program is built with, both as pinned and as built.
func TestPulumiCLIMatchesSDK(t *testing.T) {
	root := testkit.RepoRoot(t)
	sdk := requiredVersion(t, filepath.Join(root, "go.mod"), "github.com/pulumi/pulumi/sdk/v3")
	cli := requiredVersion(t, filepath.Join(root, "tools", "pulumi", "go.mod"), "github.com/pulumi/pulumi/pkg/v3")
	if cli != sdk {
		t.Errorf("tools/pulumi/go.mod pins the CLI (pkg/v3) at %s but go.mod requires sdk/v3 %s: move both to the same release", cli, sdk)
	}
	bin := testkit.PulumiCLI(t)
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "PULUMI_SKIP_UPDATE_CHECK=true")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s version: %v", bin, err)
	}
	if got := strings.TrimSpace(string(out)); got != sdk {
		t.Errorf("%s reports %s, want %s: rebuild it with `make tools`", bin, got, sdk)
	}
}

func requiredVersion(t *testing.T, path, module string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	f, err := modfile.ParseLax(path, b, nil)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	for _, r := range f.Require {
		if r.Mod.Path == module {
			return r.Mod.Version
		}
	}
	t.Fatalf("%s does not require %s", path, module)
	return ""
}
