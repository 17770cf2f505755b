package modroot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindFromAPackageDirectory(t *testing.T) {
	got, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	want, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Find() = %s, want %s (two levels above internal/modroot)", got, want)
	}
}

func TestFindNearestGoMod(t *testing.T) {
	root := t.TempDir()
	nested := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(nested, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{root, filepath.Join(root, "a")} {
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(nested)
	got, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "a"); got != want {
		t.Errorf("Find() = %s, want the nearest module root %s", got, want)
	}
}

func TestFindWithoutGoMod(t *testing.T) {
	dir := t.TempDir()
	if _, err := os.Stat("/go.mod"); err == nil {
		t.Fatal("a go.mod at / would make this test meaningless")
	}
	for d := filepath.Dir(dir); d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			t.Fatalf("the temp directory lies inside a module (%s); this test needs one outside", d)
		}
	}
	t.Chdir(dir)
	_, err := Find()
	if err == nil || !strings.Contains(err.Error(), "no go.mod above "+dir) {
		t.Errorf("Find() error = %v, want one naming %s", err, dir)
	}
}
