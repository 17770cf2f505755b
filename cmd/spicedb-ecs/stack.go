package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spicedb-ecs/spicedb-ecs/automation"
)

// keyValues is a repeatable key=value flag.
type keyValues map[string]string

func (kv keyValues) String() string { return fmt.Sprint(len(kv), " values") }

func (kv keyValues) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return fmt.Errorf("%q: want key=value (a path such as spicedb.version=v1.56.2)", s)
	}
	kv[key] = value
	return nil
}

// stackFlags are the flags every stack operation shares.
type stackFlags struct {
	opts        automation.Options
	config      keyValues
	secrets     keyValues
	showSecrets bool
}

func parseStackFlags(name string, args []string, stdin io.Reader, stdout, stderr io.Writer) (*stackFlags, error) {
	f := &stackFlags{config: keyValues{}, secrets: keyValues{}}
	fs := newFlagSet(name, stderr, "usage: spicedb-ecs "+name+" --stack <name> [flags]")
	fs.StringVar(&f.opts.Stack, "stack", "", "environment (stack) name, e.g. dev or prod (required)")
	fs.StringVar(&f.opts.ProjectDir, "project-dir", ".", "directory holding Pulumi.yaml and Pulumi.<stack>.yaml")
	fs.Var(f.config, "config", "set a config value by path, saved in the stack file: key=value (repeatable)")
	fs.Var(f.secrets, "secret", "set a secret config value by path: key=value, or key=- to read the value from stdin (repeatable)")
	if name == "outputs" {
		fs.BoolVar(&f.showSecrets, "show-secrets", false, "print secret outputs in plaintext")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if f.opts.Stack == "" || fs.NArg() > 0 {
		fs.Usage()
		return nil, errors.New("--stack is required and no positional arguments are accepted")
	}
	for key, value := range f.secrets {
		if value != "-" {
			continue
		}
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read secret %s from stdin: %w", key, err)
		}
		f.secrets[key] = strings.TrimRight(line, "\r\n")
	}
	f.opts.Config, f.opts.Secrets, f.opts.Progress = f.config, f.secrets, stdout
	return f, nil
}

// stackCommand runs one operation on an opened stack.
func stackCommand(name string, op func(ctx context.Context, s *automation.Stack, f *stackFlags, stdout io.Writer) error) func(context.Context, []string, io.Writer, io.Writer) int {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		f, err := parseStackFlags(name, args, os.Stdin, stdout, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return exitUsage
		}
		s, err := automation.Open(ctx, f.opts)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return exitFailure
		}
		if err := op(ctx, s, f, stdout); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return exitFailure
		}
		return exitOK
	}
}

func previewOp(ctx context.Context, s *automation.Stack, _ *stackFlags, _ io.Writer) error {
	_, err := s.Preview(ctx)
	return err
}

func upOp(ctx context.Context, s *automation.Stack, _ *stackFlags, _ io.Writer) error {
	_, err := s.Up(ctx)
	return err
}

func destroyOp(ctx context.Context, s *automation.Stack, _ *stackFlags, _ io.Writer) error {
	_, err := s.Destroy(ctx)
	return err
}

// outputsOp prints the outputs as JSON, secrets masked unless --show-secrets.
func outputsOp(ctx context.Context, s *automation.Stack, f *stackFlags, stdout io.Writer) error {
	out, err := s.Outputs(ctx)
	if err != nil {
		return err
	}
	var printable any = out
	if f.showSecrets {
		printable = struct {
			automation.Outputs
			PresharedKey string `json:"presharedKey"`
		}{out, out.PresharedKey.Reveal()}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(printable)
}
