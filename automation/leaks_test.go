package automation_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// assertNoSecret fails when text holds any of the secrets in plaintext. The
// message names where, never the secret.
func assertNoSecret(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	for i, secret := range secrets {
		if strings.Contains(text, secret) {
			t.Errorf("%s holds secret #%d (%d characters) in plaintext", where, i+1, len(secret))
		}
	}
}

// assertFilesHoldNoSecret reads every file under dir.
func assertFilesHoldNoSecret(t *testing.T, dir string, secrets []string) {
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
		assertNoSecret(t, path, string(b), secrets)
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	if files == 0 {
		t.Fatalf("no files under %s: the leak check checked nothing", dir)
	}
}

// minSecrets guards the leak checks against passing vacuously.
func minSecrets(t *testing.T, secrets []string, want int) {
	t.Helper()
	if len(secrets) < want {
		t.Fatalf("found %d live secret values in the fake cloud, want at least %d", len(secrets), want)
	}
	for i, s := range secrets {
		if len(s) < 16 {
			t.Fatalf("secret #%d is only %d characters: too short to search for meaningfully", i+1, len(s))
		}
	}
}
