// Command spicedb-ecs deploys SpiceDB to Amazon ECS. Each subcommand lives in its
// own file and is registered in commands.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
)

// Exit codes shared by all subcommands.
const (
	exitOK      = 0
	exitFailure = 1 // the work itself failed
	exitUsage   = 2 // bad command line or parameters; nothing was attempted
)

// command is one subcommand. run gets the arguments after the subcommand's name
// and returns the process exit code.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands registers every subcommand: adding one is one line here.
var commands = map[string]command{
	"migrate": {"run the SpiceDB datastore migration as one ECS task and wait for it", awsMigrateCommand().run},
	"preview": {"show what up would change in a stack", stackCommand("preview", previewOp)},
	"up":      {"create or update a stack (migration gate included)", stackCommand("up", upOp)},
	"destroy": {"delete every resource of a stack", stackCommand("destroy", destroyOp)},
	"outputs": {"print a stack's outputs as JSON (secrets masked)", stackCommand("outputs", outputsOp)},

	"rehearse": {"run a stack's task definitions locally behind a TLS front, until Ctrl-C", localRehearseCommand().run},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal the running subcommand cleans up (migrate stops its
	// task); restoring default handling lets a second signal end the process at once.
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := dispatch(ctx, commands, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// dispatch runs the subcommand named by args[0].
func dispatch(ctx context.Context, cmds map[string]command, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr, cmds)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout, cmds)
		return exitOK
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "spicedb-ecs: unknown command %q\n\n", args[0])
		usage(stderr, cmds)
		return exitUsage
	}
	return cmd.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: spicedb-ecs <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(cmds))
	for name := range cmds {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-10s %s\n", name, cmds[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'spicedb-ecs <command> -h' for a command's flags.")
}

// newFlagSet is a subcommand's flag set; -h prints the usage lines, then the
// flags.
func newFlagSet(name string, stderr io.Writer, usage ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		for _, line := range usage {
			fmt.Fprintln(stderr, line)
		}
		fmt.Fprintln(stderr, "\nflags:")
		fs.PrintDefaults()
	}
	return fs
}
