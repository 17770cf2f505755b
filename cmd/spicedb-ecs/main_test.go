package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestDispatch(t *testing.T) {
	var gotArgs []string
	cmds := map[string]command{
		"zeta": {"last alphabetically", func(context.Context, []string, io.Writer, io.Writer) int { return 0 }},
		"alpha": {"first alphabetically", func(_ context.Context, args []string, stdout, _ io.Writer) int {
			gotArgs = args
			io.WriteString(stdout, "ran alpha")
			return 7
		}},
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
		wantArgs   string // what the command received, space-joined
	}{
		{"no command", nil, exitUsage, "", "usage: spicedb-ecs <command>", ""},
		{"help", []string{"help"}, exitOK, "usage: spicedb-ecs <command>", "", ""},
		{"-h", []string{"-h"}, exitOK, "usage: spicedb-ecs <command>", "", ""},
		{"unknown command", []string{"deploy"}, exitUsage, "", `unknown command "deploy"`, ""},
		{"known command gets its args and sets the code", []string{"alpha", "-x", "y"}, 7, "ran alpha", "", "-x y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotArgs = nil
			var stdout, stderr strings.Builder
			code := dispatch(context.Background(), cmds, tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) || (tt.wantStdout == "" && stdout.Len() > 0) {
				t.Errorf("stdout = %q, want %q", stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) || (tt.wantStderr == "" && stderr.Len() > 0) {
				t.Errorf("stderr = %q, want %q", stderr.String(), tt.wantStderr)
			}
			if got := strings.Join(gotArgs, " "); got != tt.wantArgs {
				t.Errorf("command args = %q, want %q", got, tt.wantArgs)
			}
		})
	}
}

func TestUsageListsCommandsSorted(t *testing.T) {
	var b strings.Builder
	usage(&b, map[string]command{"up": {summary: "deploy"}, "migrate": {summary: "migrate the datastore"}})
	out := b.String()
	m, u := strings.Index(out, "  migrate    migrate the datastore"), strings.Index(out, "  up         deploy")
	if m < 0 || u < 0 || m > u {
		t.Errorf("usage does not list migrate then up:\n%s", out)
	}
}

func TestMigrateIsRegistered(t *testing.T) {
	if _, ok := commands["migrate"]; !ok {
		t.Fatal(`"migrate" is not registered`)
	}
}
