package rehearsal

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
	"gopkg.in/yaml.v3"

	"github.com/spicedb-ecs/spicedb-ecs/internal/testkit"
)

// spicedbModule is the module tools/spicedb builds bin/spicedb from.
const spicedbModule = "github.com/authzed/spicedb"

// TestSpiceDBToolPinFollowsTheDefaultVersion: the rehearsal must run the
// SpiceDB a stack deploys by default. When Pulumi.yaml's spicedb.version
// changes, this fails until tools/spicedb/go.mod pins the same version and
// bin/spicedb is rebuilt (`make tools`).
func TestSpiceDBToolPinFollowsTheDefaultVersion(t *testing.T) {
	root := testkit.RepoRoot(t)
	deployed := defaultSpiceDBVersion(t, filepath.Join(root, "Pulumi.yaml"))
	pinned := pinnedVersion(t, filepath.Join(root, "tools", "spicedb", "go.mod"), spicedbModule)
	if deployed != pinned {
		t.Errorf("Pulumi.yaml deploys SpiceDB %s by default but tools/spicedb/go.mod pins %s %s: "+
			"run `cd tools/spicedb && go get %s@%s && go mod tidy`, then `make tools`",
			deployed, spicedbModule, pinned, spicedbModule, deployed)
	}

	bin, err := FindSpiceDB()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s version: %v\n%s", bin, err, out)
	}
	built := ""
	for _, field := range strings.Fields(string(out)) {
		if semver.IsValid(field) {
			built = field
			break
		}
	}
	if built == "" {
		t.Fatalf("%s version printed no version: %q", bin, out)
	}
	if built != pinned {
		t.Errorf("bin/spicedb is %s but tools/spicedb/go.mod pins %s: rebuild it with `make tools`", built, pinned)
	}
	t.Logf("Pulumi.yaml default %s, tools pin %s, bin/spicedb %s", deployed, pinned, built)
}

func defaultSpiceDBVersion(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var project struct {
		Config struct {
			SpiceDB struct {
				Default struct {
					Version string `yaml:"version"`
				} `yaml:"default"`
			} `yaml:"spicedb"`
		} `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &project); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	v := project.Config.SpiceDB.Default.Version
	if !semver.IsValid(v) {
		t.Fatalf("%s: config.spicedb.default.version %q is not a release tag like v1.56.2", path, v)
	}
	return v
}

func pinnedVersion(t *testing.T, path, module string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse(path, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Require {
		if r.Mod.Path == module {
			return r.Mod.Version
		}
	}
	t.Fatalf("%s requires no %s", path, module)
	return ""
}
