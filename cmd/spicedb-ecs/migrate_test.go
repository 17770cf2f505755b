package main

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spicedb-ecs/spicedb-ecs/migration"
)

// fakeRunner records what migrate asked for and answers with res/err.
type fakeRunner struct {
	res    migration.Result
	err    error
	params []migration.Params
}

func (f *fakeRunner) Run(_ context.Context, p migration.Params) (migration.Result, error) {
	f.params = append(f.params, p)
	return f.res, f.err
}

// gateEnv is what the Pulumi gate passes.
func gateEnv() map[string]string {
	return map[string]string{
		migration.EnvCluster:         "spicedb",
		migration.EnvTaskDefinition:  "arn:aws:ecs:eu-west-1:123456789012:task-definition/spicedb-migrate:3",
		migration.EnvSubnets:         "subnet-a, subnet-b,",
		migration.EnvSecurityGroups:  "sg-1",
		migration.EnvContainer:       "spicedb-migrate",
		migration.EnvLogGroup:        "/ecs/spicedb",
		migration.EnvLogStreamPrefix: "migrate",
		migration.EnvTimeout:         "45m",
	}
}

func TestMigrateCommand(t *testing.T) {
	okResult := migration.Result{TaskArn: "arn:aws:ecs:eu-west-1:123456789012:task/spicedb/abc", Duration: 83 * time.Second,
		Logs: migration.LogTail{Group: "/ecs/spicedb", Stream: "migrate/spicedb-migrate/abc", Lines: []string{"migrated to head"}}}
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		runner     *fakeRunner
		runnerErr  error // from newRunner
		wantCode   int
		wantParams *migration.Params // nil: not compared
		wantStdout string
		wantStderr []string
	}{
		{
			name: "everything from the environment", env: gateEnv(), runner: &fakeRunner{res: okResult},
			wantCode: exitOK,
			wantParams: &migration.Params{Cluster: "spicedb", TaskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/spicedb-migrate:3",
				Subnets: []string{"subnet-a", "subnet-b"}, SecurityGroups: []string{"sg-1"}, ContainerName: "spicedb-migrate",
				LogGroup: "/ecs/spicedb", LogStreamPrefix: "migrate", Timeout: 45 * time.Minute},
			wantStdout: okResult.TaskArn + "\n",
			wantStderr: []string{"| migrated to head", "migrate: done in 1m23s (task " + okResult.TaskArn + ", exit code 0)"},
		},
		{
			name: "flags beat the environment", env: gateEnv(), runner: &fakeRunner{res: okResult},
			args: []string{"--cluster", "other", "--task-definition", "td:9", "--subnets", "subnet-z", "--security-groups", "sg-8,sg-9",
				"--container", "m", "--log-group", "g", "--log-stream-prefix", "p", "--timeout", "90s"},
			wantCode: exitOK,
			wantParams: &migration.Params{Cluster: "other", TaskDefinitionArn: "td:9", Subnets: []string{"subnet-z"},
				SecurityGroups: []string{"sg-8", "sg-9"}, ContainerName: "m", LogGroup: "g", LogStreamPrefix: "p", Timeout: 90 * time.Second},
			wantStdout: okResult.TaskArn + "\n",
		},
		{
			name: "flags only, defaults for the rest", runner: &fakeRunner{res: okResult},
			args:     []string{"-cluster=c", "-task-definition=td", "-subnets=s", "-security-groups=g"},
			wantCode: exitOK,
			wantParams: &migration.Params{Cluster: "c", TaskDefinitionArn: "td", Subnets: []string{"s"}, SecurityGroups: []string{"g"},
				Timeout: migration.DefaultTimeout},
			wantStdout: okResult.TaskArn + "\n",
		},
		{
			name: "migration failure exits 1 with the runner's message", env: gateEnv(),
			runner:     &fakeRunner{res: migration.Result{Duration: 4 * time.Second}, err: errors.New("migration: task abc failed: container \"spicedb-migrate\" exited with code 1")},
			wantCode:   exitFailure,
			wantStderr: []string{"migrate: FAILED after 4s", `exited with code 1`},
		},
		{
			name: "AWS setup failure exits 1", env: gateEnv(), runnerErr: errors.New("no AWS region: set AWS_REGION"),
			wantCode: exitFailure, wantStderr: []string{"migrate: no AWS region"},
		},
		{
			name: "missing parameters are a usage error", env: map[string]string{migration.EnvCluster: "spicedb"},
			wantCode:   exitUsage,
			wantStderr: []string{"TaskDefinitionArn is required", "Subnets needs at least one entry", "SecurityGroups needs at least one entry", "spicedb-ecs migrate -h"},
		},
		{
			name: "bad timeout in the environment", env: map[string]string{migration.EnvTimeout: "thirty minutes"},
			wantCode: exitUsage, wantStderr: []string{`SPICEDB_ECS_TIMEOUT="thirty minutes" is not a duration`},
		},
		{
			name: "bad timeout flag", env: gateEnv(), args: []string{"--timeout", "soon"},
			wantCode: exitUsage, wantStderr: []string{`invalid value "soon" for flag -timeout`},
		},
		{
			name: "negative timeout", env: gateEnv(), args: []string{"--timeout=-5m"},
			wantCode: exitUsage, wantStderr: []string{"Timeout must be positive"},
		},
		{
			name: "unknown flag", env: gateEnv(), args: []string{"--region", "eu-west-1"},
			wantCode: exitUsage, wantStderr: []string{"flag provided but not defined: -region"},
		},
		{
			name: "stray arguments", env: gateEnv(), args: []string{"head"},
			wantCode: exitUsage, wantStderr: []string{`unexpected arguments: ["head"]`},
		},
		{
			name: "help", args: []string{"-h"},
			wantCode: exitOK, wantStderr: []string{"usage: spicedb-ecs migrate", "SPICEDB_ECS_SUBNETS", "SPICEDB_ECS_TIMEOUT"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			built := false
			c := migrateCommand{
				lookupEnv: func(name string) (string, bool) { v, ok := tt.env[name]; return v, ok },
				newRunner: func(_ context.Context, progress io.Writer) (migrationRunner, error) {
					built = true
					if progress == nil {
						t.Error("runner gets no progress writer")
					}
					if tt.runnerErr != nil {
						return nil, tt.runnerErr
					}
					return tt.runner, nil
				},
			}
			var stdout, stderr strings.Builder
			code := c.run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			if stdout.String() != tt.wantStdout {
				t.Errorf("stdout = %q, want %q", stdout.String(), tt.wantStdout)
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			if tt.wantCode == exitUsage && built {
				t.Error("usage error still built an AWS runner")
			}
			if tt.runner == nil {
				return
			}
			if len(tt.runner.params) != 1 {
				t.Fatalf("runner ran %d times, want once", len(tt.runner.params))
			}
			if tt.wantParams != nil && !equalParams(tt.runner.params[0], *tt.wantParams) {
				t.Errorf("params = %+v\nwant     %+v", tt.runner.params[0], *tt.wantParams)
			}
		})
	}
}

func equalParams(a, b migration.Params) bool {
	return a.Cluster == b.Cluster && a.TaskDefinitionArn == b.TaskDefinitionArn &&
		slices.Equal(a.Subnets, b.Subnets) && slices.Equal(a.SecurityGroups, b.SecurityGroups) &&
		a.ContainerName == b.ContainerName && a.LogGroup == b.LogGroup && a.LogStreamPrefix == b.LogStreamPrefix &&
		a.Timeout == b.Timeout && a.PollInterval == b.PollInterval && a.StartedBy == b.StartedBy
}

func TestMigratePassesCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as after SIGINT: the runner must see it (and stop its task)
	var seen error
	c := migrateCommand{
		lookupEnv: func(name string) (string, bool) { v, ok := gateEnv()[name]; return v, ok },
		newRunner: func(context.Context, io.Writer) (migrationRunner, error) {
			return runnerFunc(func(ctx context.Context, _ migration.Params) (migration.Result, error) {
				seen = ctx.Err()
				return migration.Result{}, ctx.Err()
			}), nil
		},
	}
	if code := c.run(ctx, nil, io.Discard, io.Discard); code != exitFailure || !errors.Is(seen, context.Canceled) {
		t.Errorf("code = %d, runner saw %v; want 1 and context.Canceled", code, seen)
	}
}

type runnerFunc func(context.Context, migration.Params) (migration.Result, error)

func (f runnerFunc) Run(ctx context.Context, p migration.Params) (migration.Result, error) {
	return f(ctx, p)
}

func TestSplitList(t *testing.T) {
	tests := map[string]string{"": "", "a": "a", " a , b ,,c, ": "a|b|c", ",": ""}
	for in, want := range tests {
		if got := strings.Join(splitList(in), "|"); got != want {
			t.Errorf("splitList(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewAWSRunnerRegion(t *testing.T) {
	// Point the SDK at empty config files so the machine's own AWS setup cannot leak in.
	empty := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", empty)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	t.Setenv("AWS_REGION", "")
	if _, err := newAWSRunner(context.Background(), io.Discard); err == nil || !strings.Contains(err.Error(), "no AWS region") {
		t.Errorf("without a region: err = %v, want 'no AWS region'", err)
	}
	t.Setenv("AWS_REGION", "eu-west-1")
	r, err := newAWSRunner(context.Background(), io.Discard)
	if err != nil {
		t.Fatalf("with a region: %v", err)
	}
	if mr, ok := r.(*migration.Runner); !ok || mr.ECS == nil || mr.Logs == nil || mr.Progress == nil {
		t.Errorf("runner = %#v, want a migration.Runner with clients and progress", r)
	}
}
