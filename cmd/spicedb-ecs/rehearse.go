package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spicedb-ecs/spicedb-ecs/rehearsal"
	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/pg"
)

// rehearseCommand runs a stack's own task definitions locally — PostgreSQL,
// the SpiceDB migration and serve tasks, an emulated TLS NLB — until the
// context ends (Ctrl-C, SIGTERM), then removes everything it started.
type rehearseCommand struct {
	// findPostgres locates the PostgreSQL server binaries; tests substitute it.
	findPostgres func() (string, error)
}

func localRehearseCommand() rehearseCommand {
	return rehearseCommand{findPostgres: pg.FindBinDir}
}

func (c rehearseCommand) run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("rehearse", stderr,
		"usage: spicedb-ecs rehearse --stack <name> [--replicas 2] [--project-dir .]",
		"\nRuns the stack's rendered ECS task definitions on this machine: a throwaway",
		"PostgreSQL, the migration, N serve tasks of bin/spicedb and a TLS load balancer",
		"emulating the NLB listener and target group. Ctrl-C stops and removes it all.",
		"No AWS is used. Needs PostgreSQL (sudo apt-get install postgresql) and bin/spicedb (make tools).")
	stackName := fs.String("stack", "", "environment (stack) whose rendering to run, e.g. dev (required)")
	replicas := fs.Int("replicas", 2, "number of serve tasks behind the load balancer")
	projectDir := fs.String("project-dir", ".", "directory holding Pulumi.yaml, Pulumi.<stack>.yaml and bin/spicedb")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *stackName == "" || fs.NArg() > 0 || *replicas < 1 {
		fs.Usage()
		fmt.Fprintln(stderr, "rehearse: --stack is required, --replicas must be positive, no positional arguments")
		return exitUsage
	}

	spicedb, err := c.checkTools(*projectDir)
	if err != nil {
		fmt.Fprintf(stderr, "rehearse: missing tools, nothing was started:\n%v\n", err)
		return exitFailure
	}
	plan, err := rehearsal.PlanFromStack(*projectDir, *stackName, nil)
	if err != nil {
		fmt.Fprintf(stderr, "rehearse: %v\n", err)
		return exitFailure
	}
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	r, err := rehearsal.Start(ctx, plan, rehearsal.Options{Replicas: *replicas, SpiceDBBinary: spicedb, Logf: logf})
	if err != nil {
		fmt.Fprintf(stderr, "rehearse: %v\n", err)
		return exitFailure
	}
	printEndpoint(stdout, *stackName, *replicas, r.Endpoint())

	<-ctx.Done()
	fmt.Fprintln(stderr, "rehearse: stopping")
	if err := r.Stop(); err != nil {
		fmt.Fprintf(stderr, "rehearse: stop: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "Stopped; removed %s.\n", r.WorkDir())
	return exitOK
}

// checkTools says what to install or build, for every missing tool at once;
// it installs nothing. It returns the SpiceDB binary to run.
func (c rehearseCommand) checkTools(projectDir string) (string, error) {
	var errs []error
	if _, err := c.findPostgres(); err != nil {
		errs = append(errs, fmt.Errorf("  PostgreSQL server binaries: install them with `sudo apt-get install postgresql` (%v)", err))
	}
	spicedb := filepath.Join(projectDir, "bin", "spicedb")
	if info, err := os.Stat(spicedb); err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
		errs = append(errs, fmt.Errorf("  %s: build it with `make tools` in %s", spicedb, projectDir))
	}
	return spicedb, errors.Join(errs...)
}

// printEndpoint tells how to reach the rehearsal. The key itself is never
// printed: only the 0600 file that holds it.
func printEndpoint(w io.Writer, stack string, replicas int, ep rehearsal.Endpoint) {
	fmt.Fprintf(w, "Rehearsal of stack %s is running: %d serve task(s) behind an emulated TLS NLB.\n", stack, replicas)
	fmt.Fprintf(w, "  endpoint:      %s\n", ep.Addr)
	fmt.Fprintf(w, "  CA file:       %s\n", ep.CAFile)
	fmt.Fprintf(w, "  preshared key: %s (mode 0600, removed on exit)\n", ep.KeyFile)
	fmt.Fprintln(w, "\nPoint zed at it:")
	fmt.Fprintf(w, "  zed context set rehearsal-%s %s \"$(cat %s)\" --certificate-path %s\n",
		stack, ep.Addr, shellQuote(ep.KeyFile), shellQuote(ep.CAFile))
	fmt.Fprintln(w, "\nPress Ctrl-C to stop it and remove everything it started.")
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9/._:-]+$`)

// shellQuote leaves plain paths alone and single-quotes anything else.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
