// Package enginetest prepares offline runs of the real Pulumi engine on this
// project for tests: a throwaway copy of the project files, a file backend,
// a private PULUMI_HOME and the fake cloud providers.
package enginetest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/spicedb-ecs/spicedb-ecs/internal/fakeproviders"
	"github.com/spicedb-ecs/spicedb-ecs/internal/testkit"
)

// projectFiles are copied so that runs never touch the repository's own stack files.
var projectFiles = []string{"Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"}

// Env is one isolated engine environment with its own fake cloud; use one
// per concurrently running operation. Its stacks' secrets are encrypted with
// fakeproviders.Passphrase.
type Env struct {
	Root       string // module root, where `make tools` puts bin/pulumi
	ProjectDir string // copy of the project files, with bin/pulumi linked in
	StateDir   string // the file backend's directory
	Cloud      *fakeproviders.Cloud
	// Vars are the environment variables the engine needs, including the backend.
	Vars map[string]string
}

// BackendURL is the file backend URL of StateDir.
func (e *Env) BackendURL() string { return "file://" + e.StateDir }

// New starts a fake cloud and prepares the project copy. It fails the test
// when the Pulumi CLI has not been built.
func New(t testing.TB) *Env {
	t.Helper()
	root, cli := testkit.RepoRoot(t), testkit.PulumiCLI(t)
	project := t.TempDir()
	for _, name := range projectFiles {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatalf("read project file: %v", err)
		}
		if err := os.WriteFile(filepath.Join(project, name), b, 0o600); err != nil {
			t.Fatalf("copy project file: %v", err)
		}
	}
	// The automation package uses <project>/bin/pulumi when present: link it
	// so that the default is what the tests exercise.
	if err := os.Mkdir(filepath.Join(project, "bin"), 0o700); err != nil {
		t.Fatalf("project bin: %v", err)
	}
	if err := os.Symlink(cli, filepath.Join(project, "bin", "pulumi")); err != nil {
		t.Fatalf("link pulumi CLI: %v", err)
	}
	cloud, err := fakeproviders.Start(context.Background())
	if err != nil {
		t.Fatalf("start fake cloud: %v", err)
	}
	t.Cleanup(cloud.Stop)
	state := t.TempDir()
	return &Env{Root: root, ProjectDir: project, StateDir: state, Cloud: cloud, Vars: cloud.EngineEnv(state, t.TempDir())}
}

// LiveSecrets are the secret values that exist in the fake cloud right now:
// every generated password, every Secrets Manager secret value (the
// preshared key, the datastore URI) and every TLS private key (one base64
// line of its PEM, which is how it would show inside JSON).
func (e *Env) LiveSecrets() []string {
	var out []string
	for _, r := range e.Cloud.Live() {
		var key resource.PropertyKey
		switch r.Type {
		case "random:index/randomPassword:RandomPassword":
			key = "result"
		case "aws:secretsmanager/secretVersion:SecretVersion":
			key = "secretString"
		case "tls:index/privateKey:PrivateKey":
			key = "privateKeyPem"
		default:
			continue
		}
		v := r.Outputs[key]
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		if !v.IsString() || v.StringValue() == "" {
			continue
		}
		value := v.StringValue()
		if lines := strings.Split(value, "\n"); strings.HasPrefix(value, "-----BEGIN") && len(lines) > 2 {
			value = lines[1]
		}
		out = append(out, value)
	}
	return out
}
