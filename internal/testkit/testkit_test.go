package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.fatal = true
	runtime.Goexit()
}

// record runs f against a recorder on its own goroutine, as Fatalf ends it.
func record(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestRepoRootAndPulumiCLI(t *testing.T) {
	want, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if got := RepoRoot(t); got != want {
		t.Errorf("RepoRoot = %s, want %s", got, want)
	}
	if _, err := os.Stat(filepath.Join(want, "bin", "pulumi")); err != nil {
		r := record(t, func(tb testing.TB) { PulumiCLI(tb) })
		if !r.fatal || !strings.Contains(strings.Join(r.errors, "\n"), "make tools") {
			t.Errorf("PulumiCLI without bin/pulumi: %+v, want a fatal failure saying how to build it", r)
		}
		return
	}
	if got := PulumiCLI(t); got != filepath.Join(want, "bin", "pulumi") {
		t.Errorf("PulumiCLI = %s", got)
	}
}

func TestChangedOps(t *testing.T) {
	cases := []struct {
		name string
		in   *map[string]int
		want map[string]int
	}{
		{"nil summary", nil, map[string]int{}},
		{"nothing changed", &map[string]int{"same": 12}, map[string]int{}},
		{"zero counts dropped", &map[string]int{"same": 3, "update": 0, "replace": 2, "create": 1},
			map[string]int{"replace": 2, "create": 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ChangedOps(c.in); !reflect.DeepEqual(got, c.want) {
				t.Errorf("ChangedOps = %v, want %v", got, c.want)
			}
		})
	}
}

func TestAssertNoSecret(t *testing.T) {
	secrets := []string{"first-secret-value", "second-secret-value"}
	if r := record(t, func(tb testing.TB) { AssertNoSecret(tb, "log", "nothing to see", secrets) }); len(r.errors) != 0 {
		t.Errorf("clean text failed: %v", r.errors)
	}
	r := record(t, func(tb testing.TB) { AssertNoSecret(tb, "log", "key=second-secret-value", secrets) })
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "log holds secret #2") {
		t.Fatalf("errors = %v, want one naming the place and secret #2", r.errors)
	}
	if strings.Contains(r.errors[0], secrets[1]) {
		t.Errorf("the failure message repeats the secret: %s", r.errors[0])
	}
}

func TestAssertFilesHoldNoSecret(t *testing.T) {
	secret := "a-secret-that-must-not-leak"
	write := func(t *testing.T, path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("clean files pass", func(t *testing.T) {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "a", "state.json"), `{"password":"[secret]"}`)
		if r := record(t, func(tb testing.TB) { AssertFilesHoldNoSecret(tb, dir, []string{secret}) }); len(r.errors) != 0 {
			t.Errorf("errors = %v", r.errors)
		}
	})
	t.Run("a nested file with the secret fails naming it", func(t *testing.T) {
		dir := t.TempDir()
		leak := filepath.Join(dir, "a", "b", "state.json")
		write(t, filepath.Join(dir, "clean.json"), "{}")
		write(t, leak, "password: "+secret)
		r := record(t, func(tb testing.TB) { AssertFilesHoldNoSecret(tb, dir, []string{secret}) })
		if len(r.errors) != 1 || !strings.HasPrefix(r.errors[0], leak+" holds secret #1") {
			t.Errorf("errors = %v, want one naming %s", r.errors, leak)
		}
	})
	t.Run("no files is a failure, links are not followed", func(t *testing.T) {
		outside := filepath.Join(t.TempDir(), "outside.txt")
		write(t, outside, secret)
		dir := t.TempDir()
		if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
			t.Fatal(err)
		}
		r := record(t, func(tb testing.TB) { AssertFilesHoldNoSecret(tb, dir, []string{secret}) })
		if !r.fatal || len(r.errors) != 1 || !strings.Contains(r.errors[0], "checked nothing") {
			t.Errorf("recorder = %+v, want only the fatal no-files failure", r)
		}
	})
}
