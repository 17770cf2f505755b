package logtail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLines(t *testing.T) {
	cases := []struct {
		name, content string
		n             int
		want          string
	}{
		{"fewer lines than asked", "a\nb\n", 5, "a\nb"},
		{"last n", "a\nb\nc\nd\n", 2, "c\nd"},
		{"no trailing newline", "a\nb\nc", 1, "c"},
		{"trailing blank lines dropped", "a\nb\n\n\n", 1, "b"},
		{"empty file", "", 3, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log")
			if err := os.WriteFile(path, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if got := Lines(path, c.n); got != c.want {
				t.Errorf("Lines = %q, want %q", got, c.want)
			}
		})
	}
}

func TestLinesOfAMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.log")
	if got := Lines(path, 3); !strings.HasPrefix(got, "(no log: ") || !strings.Contains(got, path) {
		t.Errorf("Lines of a missing file = %q, want a note naming it", got)
	}
}
