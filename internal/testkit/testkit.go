// Package testkit holds test helpers that packages across this module share:
// finding the module root and the Pulumi CLI built there, judging an engine
// operation's summary, and checking text and files for leaked secrets.
package testkit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/spicedb-ecs/spicedb-ecs/internal/modroot"
)

// RepoRoot is the module root, where Pulumi.yaml, the stack files and bin/
// live.
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// PulumiCLI is bin/pulumi under the module root; it fails the test when the
// CLI has not been built.
func PulumiCLI(t testing.TB) string {
	t.Helper()
	cli := filepath.Join(RepoRoot(t), "bin", "pulumi")
	if _, err := os.Stat(cli); err != nil {
		t.Fatalf("the Pulumi CLI is missing at %s; build it with `make tools`: %v", cli, err)
	}
	return cli
}

// ChangedOps drops the "same" count and zero counts from an operation's
// resource changes, leaving what the operation changed.
func ChangedOps(changes *map[string]int) map[string]int {
	out := map[string]int{}
	if changes == nil {
		return out
	}
	for op, n := range *changes {
		if op != string(apitype.OpSame) && n > 0 {
			out[op] = n
		}
	}
	return out
}

// AssertNoSecret fails when text holds any of the secrets in plaintext. The
// message names where, never the secret.
func AssertNoSecret(t testing.TB, where, text string, secrets []string) {
	t.Helper()
	for i, secret := range secrets {
		if strings.Contains(text, secret) {
			t.Errorf("%s holds secret #%d (%d characters) in plaintext", where, i+1, len(secret))
		}
	}
}

// AssertFilesHoldNoSecret reads every regular file under dir (links are not
// followed) and fails when one holds a secret or when there is no file at
// all, which would make the check vacuous.
func AssertFilesHoldNoSecret(t testing.TB, dir string, secrets []string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Type()&os.ModeSymlink != 0 {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		AssertNoSecret(t, path, string(b), secrets)
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	if files == 0 {
		t.Fatalf("no files under %s: the leak check checked nothing", dir)
	}
}
