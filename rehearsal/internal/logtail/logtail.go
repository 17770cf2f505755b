// Package logtail reads the end of a child process's log for error messages.
package logtail

import (
	"fmt"
	"os"
	"strings"
)

// Lines returns the last n lines of the file at path, or a note saying why
// there is none.
func Lines(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
