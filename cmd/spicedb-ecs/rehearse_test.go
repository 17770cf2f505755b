package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"

	"github.com/spicedb-ecs/spicedb-ecs/internal/syncio"
	"github.com/spicedb-ecs/spicedb-ecs/internal/testkit"
	"github.com/spicedb-ecs/spicedb-ecs/rehearsal"
)

// TestRehearseRunsUntilCancelledAndLeavesNothing runs the subcommand as
// `make rehearse` does, uses what it prints to reach SpiceDB, cancels (as
// Ctrl-C does) and checks that no process and no file is left.
func TestRehearseRunsUntilCancelledAndLeavesNothing(t *testing.T) {
	// Everything the rehearsal creates goes under os.TempDir(); pointing
	// that at a directory of our own makes "nothing left on disk" checkable.
	// It must be traversable: PostgreSQL runs as the os user postgres when
	// the tests run as root.
	tmp, err := os.MkdirTemp("", "rehearse-cli-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	if err := os.Chmod(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncio.Buffer // the command writes while the test reads
	exited := make(chan int, 1)
	root := testkit.RepoRoot(t)
	go func() {
		exited <- localRehearseCommand().run(ctx, []string{"--stack", "dev", "--replicas", "1", "--project-dir", root}, &stdout, &stderr)
	}()

	printed, code, err := waitForLine(exited, &stdout, "Press Ctrl-C", 2*time.Minute)
	if err != nil {
		t.Fatalf("%v (exit code %d)\nstdout:\n%s\nstderr:\n%s", err, code, stdout.String(), stderr.String())
	}
	ep := rehearsal.Endpoint{
		Addr:    field(t, printed, "endpoint:"),
		CAFile:  field(t, printed, "CA file:"),
		KeyFile: strings.Fields(field(t, printed, "preshared key:"))[0],
	}
	workDir := filepath.Dir(ep.KeyFile)
	if filepath.Dir(workDir) != tmp {
		t.Errorf("key file %s is not in the rehearsal's temp dir under %s", ep.KeyFile, tmp)
	}
	info, err := os.Stat(ep.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", info.Mode().Perm())
	}
	key, err := os.ReadFile(ep.KeyFile)
	if err != nil || len(key) == 0 {
		t.Fatalf("read key file: %v", err)
	}
	wantZed := fmt.Sprintf(`zed context set rehearsal-dev %s "$(cat %s)" --certificate-path %s`, ep.Addr, ep.KeyFile, ep.CAFile)
	if !strings.Contains(printed, wantZed) {
		t.Errorf("output lacks the zed command %q:\n%s", wantZed, printed)
	}

	c, err := rehearsal.Dial(ep, string(key))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rpcCtx, rpcCancel := context.WithTimeout(ctx, 30*time.Second)
	defer rpcCancel()
	if err := rehearsal.RunPostFlow(rpcCtx, c); err != nil {
		t.Fatal(err)
	}
	if got, err := rehearsal.Check(rpcCtx, c, "post", "1", "read", "user", "lena"); err != nil || got != v1.CheckPermissionResponse_PERMISSIONSHIP_HAS_PERMISSION {
		t.Fatalf("check through the printed endpoint: %v %v", got, err)
	}

	// The leftover check below must be able to see what it looks for.
	running := strings.Join(leftoverProcesses(t, tmp), "\n")
	if !strings.Contains(running, "spicedb serve") || !strings.Contains(running, "postgres") {
		t.Fatalf("cannot see the rehearsal's spicedb and postgres processes, so the leftover check would prove nothing:\n%s", running)
	}

	cancel()
	select {
	case code = <-exited:
	case <-time.After(90 * time.Second):
		t.Fatal("rehearse did not return within 90s of the cancellation")
	}
	if code != exitOK {
		t.Errorf("exit code %d after Ctrl-C, want 0\nstderr:\n%s", code, stderr.String())
	}
	for _, path := range []string{workDir, ep.KeyFile, ep.CAFile} {
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still exists after the rehearsal stopped (%v)", path, err)
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left on disk under the temp dir: %q", names)
	}
	if left := leftoverProcesses(t, tmp); len(left) > 0 {
		t.Errorf("processes left running: %q", left)
	}
	all := stdout.String() + stderr.String()
	if strings.Contains(all, string(key)) {
		t.Error("the preshared key was printed")
	}
	if strings.Contains(all, "postgres://") {
		t.Error("a datastore URI was printed")
	}
	t.Logf("stdout:\n%s", stdout.String())
}

func TestRehearseRefusesBadUsageAndMissingTools(t *testing.T) {
	noPostgres := func() (string, error) { return "", errors.New("pg: no PostgreSQL under /usr/lib/postgresql") }
	havePostgres := func() (string, error) { return "/usr/lib/postgresql/17/bin", nil }
	withSpiceDB := t.TempDir()
	if err := os.Mkdir(filepath.Join(withSpiceDB, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(withSpiceDB, "bin", "spicedb"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	cases := []struct {
		name       string
		find       func() (string, error)
		args       []string
		wantCode   int
		wantStderr []string
		wantAbsent []string
	}{
		{"no stack", havePostgres, []string{"--project-dir", withSpiceDB}, exitUsage, []string{"--stack is required"}, nil},
		{"positional argument", havePostgres, []string{"--stack", "dev", "extra"}, exitUsage, []string{"no positional arguments"}, nil},
		{"no replicas", havePostgres, []string{"--stack", "dev", "--replicas", "0"}, exitUsage, []string{"--replicas must be positive"}, nil},
		{"unknown flag", havePostgres, []string{"--stack", "dev", "--region", "x"}, exitUsage, []string{"flag provided but not defined"}, nil},
		{"nothing installed", noPostgres, []string{"--stack", "dev", "--project-dir", empty}, exitFailure,
			[]string{"sudo apt-get install postgresql", filepath.Join(empty, "bin", "spicedb") + ": build it with `make tools`", "nothing was started"}, nil},
		{"spicedb not built", havePostgres, []string{"--stack", "dev", "--project-dir", empty}, exitFailure,
			[]string{"`make tools`"}, []string{"apt-get"}},
		{"postgres missing", noPostgres, []string{"--stack", "dev", "--project-dir", withSpiceDB}, exitFailure,
			[]string{"`sudo apt-get install postgresql`"}, []string{"make tools"}},
		{"tools there, no stack files", havePostgres, []string{"--stack", "dev", "--project-dir", withSpiceDB}, exitFailure,
			[]string{"Pulumi.yaml"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := rehearseCommand{findPostgres: c.find}.run(context.Background(), c.args, &stdout, &stderr)
			if code != c.wantCode {
				t.Errorf("exit code %d, want %d\nstderr:\n%s", code, c.wantCode, stderr.String())
			}
			for _, want := range c.wantStderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			for _, absent := range c.wantAbsent {
				if strings.Contains(stderr.String(), absent) {
					t.Errorf("stderr mentions %q although that tool is there:\n%s", absent, stderr.String())
				}
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/tmp/rehearsal-123/preshared-key", "/tmp/rehearsal-123/preshared-key"},
		{"/tmp/my dir/ca.pem", "'/tmp/my dir/ca.pem'"},
		{"/tmp/it's/ca.pem", `'/tmp/it'\''s/ca.pem'`},
		{"/tmp/$HOME", "'/tmp/$HOME'"},
	}
	for _, c := range cases {
		if got := shellQuote(c.in); got != c.want {
			t.Errorf("shellQuote(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

// waitForLine polls out until it holds marker, the command exits or the
// time is up.
func waitForLine(exited <-chan int, out *syncio.Buffer, marker string, limit time.Duration) (string, int, error) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if s := out.String(); strings.Contains(s, marker) {
			return s, 0, nil
		}
		select {
		case code := <-exited:
			return out.String(), code, errors.New("rehearse exited before printing its endpoint")
		case <-time.After(200 * time.Millisecond):
		}
	}
	return out.String(), 0, fmt.Errorf("no %q within %s", marker, limit)
}

// field returns what follows label on its line of the printed summary.
func field(t *testing.T, printed, label string) string {
	t.Helper()
	for _, line := range strings.Split(printed, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), label); ok {
			return strings.TrimSpace(rest)
		}
	}
	t.Fatalf("no %q line in:\n%s", label, printed)
	return ""
}

// leftoverProcesses lists live processes that are our spicedb or postgres
// children, or that work in or mention dir: PostgreSQL's backends are not
// our children and retitle themselves, but run in the data directory.
func leftoverProcesses(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	self := os.Getpid()
	var left []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // exited meanwhile
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split at the last ')'.
		open, close := strings.IndexByte(string(stat), '('), strings.LastIndexByte(string(stat), ')')
		if open < 0 || close < open {
			continue
		}
		comm := string(stat[open+1 : close])
		rest := strings.Fields(string(stat[close+1:]))
		if len(rest) < 2 || rest[0] == "Z" {
			continue
		}
		ppid, _ := strconv.Atoi(rest[1])
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		cwd, _ := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		ours := ppid == self && (comm == "spicedb" || comm == "postgres")
		if ours || strings.HasPrefix(cwd, dir) || strings.Contains(string(cmdline), dir) {
			left = append(left, fmt.Sprintf("%d %s", pid, strings.ReplaceAll(string(cmdline), "\x00", " ")))
		}
	}
	return left
}
