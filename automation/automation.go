// Package automation embeds the spicedb-ecs program in Go code through the
// Pulumi Automation API: open an environment's stack over the project's own
// Pulumi.yaml and Pulumi.<env>.yaml, override settings, then preview, update,
// refresh, destroy and read typed outputs.
package automation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/spicedb-ecs/spicedb-ecs/internal/syncio"
	"github.com/spicedb-ecs/spicedb-ecs/stack"
)

// Options open a stack. Only Stack is required.
type Options struct {
	// Stack is the environment: dev, prod, … (Pulumi.<Stack>.yaml).
	Stack string
	// ProjectDir holds Pulumi.yaml and the stack files. Default: ".".
	ProjectDir string
	// Config sets plain values by path, as `pulumi config set --path`:
	// "spicedb.version" → the version field of the spicedb key;
	// "aws:region" → another namespace. Values are saved in the stack file.
	Config map[string]string
	// Secrets sets values by path as Pulumi secrets: encrypted in the stack
	// file, handed to the CLI on stdin (never as a command-line argument).
	Secrets map[string]string
	// BackendURL is where state lives. Default: $PULUMI_BACKEND_URL, else a
	// local file backend in <ProjectDir>/.pulumi.
	BackendURL string
	// SecretsProvider for a new stack. Default: passphrase (needs
	// PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE).
	SecretsProvider string
	// Program is the Pulumi program. Default: stack.Program.
	Program pulumi.RunFunc
	// Progress receives the engine's progress output. Default: discarded.
	Progress io.Writer
	// EngineEvents, when set, receives every structured engine event of each
	// operation, in order (e.g. to log steps as JSON). Secret values arrive
	// masked, as in Progress.
	EngineEvents func(events.EngineEvent)
	// EnvVars are extra environment variables for the engine and providers.
	EnvVars map[string]string
	// Pulumi is the CLI to drive. Default: <ProjectDir>/bin/pulumi when
	// present (make tools builds it), else pulumi on PATH.
	Pulumi auto.PulumiCommand
}

// Stack is an opened environment.
type Stack struct {
	stack    auto.Stack
	progress io.Writer // serialised: the engine writes stdout and stderr to it from two goroutines
	onEvent  func(events.EngineEvent)
	program  *programRun
}

// Open creates or selects the stack and applies the overrides.
func Open(ctx context.Context, opts Options) (*Stack, error) {
	if opts.Stack == "" {
		return nil, errors.New("automation: Options.Stack is required (e.g. dev or prod)")
	}
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	program := &programRun{run: opts.Program}
	wsOpts := []auto.LocalWorkspaceOption{
		auto.WorkDir(opts.ProjectDir),
		auto.Program(program.Run),
		auto.SecretsProvider(opts.SecretsProvider),
		auto.EnvVars(opts.EnvVars),
	}
	if opts.Pulumi != nil {
		wsOpts = append(wsOpts, auto.Pulumi(opts.Pulumi))
	}
	ws, err := auto.NewLocalWorkspace(ctx, wsOpts...)
	if err != nil {
		return nil, fmt.Errorf("automation: workspace in %s: %w", opts.ProjectDir, err)
	}
	st, err := auto.UpsertStack(ctx, opts.Stack, ws)
	if err != nil {
		return nil, fmt.Errorf("automation: stack %s: %w", opts.Stack, err)
	}
	s := &Stack{stack: st, progress: syncio.NewWriter(opts.Progress), onEvent: opts.EngineEvents, program: program}
	if err := s.set(ctx, opts.Config, false); err != nil {
		return nil, err
	}
	if err := s.set(ctx, opts.Secrets, true); err != nil {
		return nil, err
	}
	return s, nil
}

func withDefaults(opts Options) (Options, error) {
	if opts.ProjectDir == "" {
		opts.ProjectDir = "."
	}
	dir, err := filepath.Abs(opts.ProjectDir)
	if err != nil {
		return opts, fmt.Errorf("automation: project dir: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "Pulumi.yaml")); err != nil {
		return opts, fmt.Errorf("automation: no Pulumi.yaml in %s: run from the project directory or set ProjectDir", dir)
	}
	opts.ProjectDir = dir
	if opts.Program == nil {
		opts.Program = stack.Program
	}
	if opts.SecretsProvider == "" {
		opts.SecretsProvider = "passphrase"
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	env := map[string]string{}
	for k, v := range opts.EnvVars {
		env[k] = v
	}
	if opts.BackendURL == "" {
		opts.BackendURL = os.Getenv("PULUMI_BACKEND_URL")
	}
	if opts.BackendURL == "" {
		stateDir := filepath.Join(dir, ".pulumi")
		if err := os.MkdirAll(stateDir, 0o700); err != nil {
			return opts, fmt.Errorf("automation: state dir: %w", err)
		}
		opts.BackendURL = "file://" + stateDir
	}
	env["PULUMI_BACKEND_URL"] = opts.BackendURL
	opts.EnvVars = env
	if opts.Pulumi == nil {
		if local := filepath.Join(dir, "bin", "pulumi"); isFile(local) {
			cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: dir})
			if err != nil {
				return opts, fmt.Errorf("automation: %s: %w", local, err)
			}
			opts.Pulumi = cmd
		}
	}
	return opts, nil
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// set writes config values in a stable order, by path.
func (s *Stack) set(ctx context.Context, values map[string]string, secret bool) error {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		var err error
		if secret {
			err = s.setSecret(ctx, key, values[key])
		} else {
			err = s.stack.SetConfigWithOptions(ctx, key, auto.ConfigValue{Value: values[key]}, &auto.ConfigOptions{Path: true})
		}
		if err != nil {
			// The value is left out: it may be a secret.
			return fmt.Errorf("automation: set config %s: %w", key, err)
		}
	}
	return nil
}

// setSecret hands the value to `pulumi config set --secret` on stdin. The
// Automation API would pass it as a command-line argument, which any local
// user can read in the process list while the command runs.
func (s *Stack) setSecret(ctx context.Context, key, value string) error {
	ws, ok := s.stack.Workspace().(*auto.LocalWorkspace)
	if !ok {
		return fmt.Errorf("workspace is %T, want a local workspace", s.stack.Workspace())
	}
	var env []string
	if home := ws.PulumiHome(); home != "" {
		env = append(env, "PULUMI_HOME="+home)
	}
	for k, v := range ws.GetEnvVars() {
		env = append(env, k+"="+v)
	}
	_, stderr, _, err := ws.PulumiCommand().Run(ctx, ws.WorkDir(), strings.NewReader(value), nil, nil, env,
		"config", "set", "--stack", s.stack.Name(), "--path", "--secret", "--", key)
	if err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr))
	}
	return nil
}

// Name is the stack's fully qualified name.
func (s *Stack) Name() string { return s.stack.Name() }

// Raw is the underlying Automation API stack, for what this package does not
// wrap (its methods take a pointer receiver, hence the pointer).
func (s *Stack) Raw() *auto.Stack { return &s.stack }
