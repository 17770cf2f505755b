package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/spicedb-ecs/spicedb-ecs/migration"
)

// migrationRunner is what migrate needs from *migration.Runner; tests substitute a fake.
type migrationRunner interface {
	Run(ctx context.Context, p migration.Params) (migration.Result, error)
}

// migrateCommand is the deploy-time gate: it runs the migration task once and exits
// non-zero unless it succeeded, so `pulumi up` stops before the service rolls.
type migrateCommand struct {
	lookupEnv func(string) (string, bool)
	// newRunner is called only once the parameters are valid, so usage errors need no AWS.
	newRunner func(ctx context.Context, progress io.Writer) (migrationRunner, error)
}

func awsMigrateCommand() migrateCommand {
	return migrateCommand{lookupEnv: os.LookupEnv, newRunner: newAWSRunner}
}

// newAWSRunner builds a runner on the standard AWS configuration chain
// (AWS_REGION, AWS_PROFILE, credentials files, SSO, instance roles).
func newAWSRunner(ctx context.Context, progress io.Writer) (migrationRunner, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: set AWS_REGION, or AWS_PROFILE to a profile with a region")
	}
	return &migration.Runner{ECS: ecs.NewFromConfig(cfg), Logs: cloudwatchlogs.NewFromConfig(cfg), Progress: progress}, nil
}

func (c migrateCommand) run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	env := func(name string) string {
		v, _ := c.lookupEnv(name)
		return strings.TrimSpace(v)
	}
	defaultTimeout := migration.DefaultTimeout
	if v := env(migration.EnvTimeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			fmt.Fprintf(stderr, "migrate: %s=%q is not a duration (e.g. 30m): %v\n", migration.EnvTimeout, v, err)
			return exitUsage
		}
		defaultTimeout = d
	}

	fs := newFlagSet("migrate", stderr,
		"usage: spicedb-ecs migrate [flags]",
		"\nRuns `spicedb datastore migrate head` as one Fargate task and waits for it;",
		"exits 0 only if it succeeded. Every flag defaults from the named environment variable.")
	help := func(text, envName string) string { return text + " (env " + envName + ")" }
	cluster := fs.String("cluster", env(migration.EnvCluster), help("ECS cluster name or ARN", migration.EnvCluster))
	taskDef := fs.String("task-definition", env(migration.EnvTaskDefinition), help("migration task definition ARN", migration.EnvTaskDefinition))
	subnets := fs.String("subnets", env(migration.EnvSubnets), help("comma-separated private subnet IDs", migration.EnvSubnets))
	groups := fs.String("security-groups", env(migration.EnvSecurityGroups), help("comma-separated security group IDs", migration.EnvSecurityGroups))
	container := fs.String("container", env(migration.EnvContainer), help("container whose exit code decides success (default "+migration.DefaultContainerName+")", migration.EnvContainer))
	logGroup := fs.String("log-group", env(migration.EnvLogGroup), help("CloudWatch log group of the container; empty: no log tail", migration.EnvLogGroup))
	streamPrefix := fs.String("log-stream-prefix", env(migration.EnvLogStreamPrefix), help("awslogs stream prefix (default "+migration.DefaultLogStreamPrefix+")", migration.EnvLogStreamPrefix))
	timeout := fs.Duration("timeout", defaultTimeout, help("give up, and stop the task, after this long", migration.EnvTimeout))
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "migrate: unexpected arguments: %q\n", fs.Args())
		return exitUsage
	}

	p := migration.Params{
		Cluster:           *cluster,
		TaskDefinitionArn: *taskDef,
		Subnets:           splitList(*subnets),
		SecurityGroups:    splitList(*groups),
		ContainerName:     *container,
		LogGroup:          *logGroup,
		LogStreamPrefix:   *streamPrefix,
		Timeout:           *timeout,
	}
	if err := p.Validate(); err != nil {
		fmt.Fprintf(stderr, "migrate: %v\nRun 'spicedb-ecs migrate -h' for the flags and their environment variables.\n", err)
		return exitUsage
	}
	runner, err := c.newRunner(ctx, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "migrate: %v\n", err)
		return exitFailure
	}

	fmt.Fprintf(stderr, "migrate: running %s in cluster %s (timeout %s)\n", p.TaskDefinitionArn, p.Cluster, p.Timeout)
	res, err := runner.Run(ctx, p)
	if err != nil {
		fmt.Fprintf(stderr, "migrate: FAILED after %s\n%v\n", res.Duration.Round(time.Second), err)
		return exitFailure
	}
	fmt.Fprintf(stderr, "%s\nmigrate: done in %s (task %s, exit code %d)\n", res.Logs, res.Duration.Round(time.Second), res.TaskArn, res.ExitCode)
	// The task ARN on stdout lets the caller (e.g. the Pulumi command's stdout output) record which task migrated.
	fmt.Fprintln(stdout, res.TaskArn)
	return exitOK
}

// splitList splits a comma-separated list, trimming spaces and dropping empty entries
// (a trailing comma in an environment variable is harmless).
func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, migration.ListSeparator) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
