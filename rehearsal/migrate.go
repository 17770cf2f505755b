package rehearsal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// RunToCompletion runs a one-shot container (the migration task) with the
// SpiceDB binary and waits for it. The output (redacted) is returned in
// both cases; a non-zero exit is an error that carries the output's tail.
func RunToCompletion(ctx context.Context, binary string, c *Container, workDir, logPath string) (string, error) {
	p, err := startProcess(c.Name, binary, c.Args, c.Env, workDir, logPath)
	if err != nil {
		return "", err
	}
	select {
	case <-p.exited:
	case <-ctx.Done():
		_ = p.stop(5 * time.Second)
		return p.tail(20, c.red), fmt.Errorf("rehearsal: %s: %w; output:\n%s", c.Name, ctx.Err(), p.tail(20, c.red))
	}
	raw, readErr := os.ReadFile(logPath)
	out := c.red.redact(string(raw))
	if readErr != nil {
		return "", fmt.Errorf("rehearsal: %s: read output: %w", c.Name, readErr)
	}
	if p.waitErr != nil {
		var exit *exec.ExitError
		if errors.As(p.waitErr, &exit) {
			return out, fmt.Errorf("rehearsal: %s exited with code %d; last output:\n%s", c.Name, exit.ExitCode(), lastLines(out, 10))
		}
		return out, fmt.Errorf("rehearsal: %s: %w", c.Name, p.waitErr)
	}
	return out, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
