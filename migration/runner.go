// Package migration runs SpiceDB's datastore migration as one ECS Fargate task and
// waits for it, so a deployment can gate the service rollout on its success.
//
// SpiceDB migrations take no lock: two concurrent runs race. The runner therefore
// starts exactly one task, and whenever it gives up on a task (timeout, cancellation,
// lost track of it) it stops that task before returning.
package migration

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

const (
	statusStopped = "STOPPED"
	// maxDescribeFailures consecutive DescribeTasks errors (after the SDK's own
	// retries) make the runner give up on, and stop, the task.
	maxDescribeFailures = 5
	// runTaskTimeout bounds the RunTask call, which is not cancelable (see startTask).
	runTaskTimeout = time.Minute
)

// ErrTimeout is wrapped by the error Run returns when the task outlived Params.Timeout.
var ErrTimeout = errors.New("migration timed out")

// Runner starts the migration task and waits for its outcome.
type Runner struct {
	ECS  ECSAPI
	Logs LogsAPI
	// Progress receives one line per event (task started, status change, stopping);
	// nil discards them.
	Progress io.Writer
	// Now and Sleep replace the clock in tests; nil means the real clock.
	// Sleep must return ctx's error if ctx ends first.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Result describes a finished migration task. Run fills it as far as it got, also on error.
type Result struct {
	TaskArn  string
	ExitCode int // of the migrate container; NoExitCode if it never reported one
	Duration time.Duration
	Logs     LogTail
}

// Run starts the migration task and waits until it stops, for at most p.Timeout.
// It succeeds only if the task stopped and its migrate container exited 0. A failed
// task yields a *TaskFailedError; on timeout (errors.Is ErrTimeout) or ctx's end
// (errors.Is ctx.Err()) the task is stopped before Run returns.
func (r *Runner) Run(ctx context.Context, p Params) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	if r.ECS == nil || r.Logs == nil {
		return Result{}, errors.New("migration: runner needs both an ECS and a CloudWatch Logs client")
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("migration: not started: %w", err)
	}
	p = p.withDefaults()

	start := r.now()
	arn, status, err := r.startTask(ctx, p)
	if err != nil {
		return Result{}, err
	}
	res := Result{TaskArn: arn, ExitCode: NoExitCode}
	r.progressf("started migration task %s (%s)", taskID(arn), status)

	task, interrupted := r.waitStopped(ctx, p, arn, status, start)
	if interrupted != nil {
		err := r.stopAndReport(ctx, p, arn, interrupted)
		res.Duration = r.now().Sub(start)
		res.Logs = err.logs
		return res, err
	}
	res.Duration = r.now().Sub(start)
	res.ExitCode = exitCodeOf(findContainer(task, p.ContainerName))
	res.Logs = fetchLogTail(ctx, r.Logs, p.LogGroup, p.LogStreamPrefix, p.ContainerName, taskID(arn))
	if err := stoppedTaskError(task, p.ContainerName, res.Logs); err != nil {
		return res, err
	}
	return res, nil
}

// startTask runs the one migration task. The call is detached from ctx: once the
// request is sent, only its answer tells us which task to stop if ctx ends, so
// cancelling mid-call could leave an unknown migration running.
func (r *Runner) startTask(ctx context.Context, p Params) (arn, status string, err error) {
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), runTaskTimeout)
	defer cancel()
	out, err := r.ECS.RunTask(callCtx, runTaskInput(p))
	if err != nil {
		return "", "", fmt.Errorf("migration: run task: %w", err)
	}
	if len(out.Tasks) == 0 {
		return "", "", fmt.Errorf("migration: run task: ECS started no task: %s", failuresText(out.Failures))
	}
	t := out.Tasks[0]
	return aws.ToString(t.TaskArn), aws.ToString(t.LastStatus), nil
}

func runTaskInput(p Params) *ecs.RunTaskInput {
	return &ecs.RunTaskInput{
		Cluster:        aws.String(p.Cluster),
		TaskDefinition: aws.String(p.TaskDefinitionArn),
		LaunchType:     ecstypes.LaunchTypeFargate,
		Count:          aws.Int32(1),
		StartedBy:      aws.String(p.StartedBy),
		NetworkConfiguration: &ecstypes.NetworkConfiguration{
			AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
				Subnets:        p.Subnets,
				SecurityGroups: p.SecurityGroups,
				AssignPublicIp: ecstypes.AssignPublicIpDisabled,
			},
		},
	}
}

func failuresText(failures []ecstypes.Failure) string {
	if len(failures) == 0 {
		return "no failures reported"
	}
	parts := make([]string, 0, len(failures))
	for _, f := range failures {
		s := aws.ToString(f.Reason)
		if d := aws.ToString(f.Detail); d != "" {
			s += " (" + d + ")"
		}
		if a := aws.ToString(f.Arn); a != "" {
			s += " [" + a + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// interruption is why the runner gave up waiting for a task.
type interruption struct {
	reason     string // for humans and StopTask, e.g. "timed out after 30m0s"
	cause      error  // ErrTimeout, ctx.Err() or the last DescribeTasks error
	lastStatus string
	lastErr    error // set when the runner lost track of the task
}

// waitStopped polls the task until it is STOPPED, or returns why it stopped waiting.
func (r *Runner) waitStopped(ctx context.Context, p Params, arn, status string, start time.Time) (ecstypes.Task, *interruption) {
	deadline := start.Add(p.Timeout)
	failures := 0
	for {
		remaining := deadline.Sub(r.now())
		if remaining <= 0 {
			return ecstypes.Task{}, &interruption{reason: fmt.Sprintf("timed out after %s", p.Timeout), cause: ErrTimeout, lastStatus: status}
		}
		if err := r.sleep(ctx, min(p.PollInterval, remaining)); err != nil {
			return ecstypes.Task{}, canceled(ctx, status)
		}
		task, err := r.describe(ctx, p.Cluster, arn)
		if err != nil {
			if ctx.Err() != nil {
				return ecstypes.Task{}, canceled(ctx, status)
			}
			failures++
			r.progressf("checking task %s failed (%d of %d tries): %v", taskID(arn), failures, maxDescribeFailures, err)
			if failures == maxDescribeFailures {
				return ecstypes.Task{}, &interruption{reason: "lost track of the task", cause: err, lastErr: err, lastStatus: status}
			}
			continue
		}
		failures = 0
		if s := aws.ToString(task.LastStatus); s != status {
			status = s
			r.progressf("task %s: %s after %s", taskID(arn), status, r.now().Sub(start).Round(time.Second))
		}
		if status == statusStopped {
			return task, nil
		}
	}
}

func canceled(ctx context.Context, status string) *interruption {
	reason := "canceled"
	if cause := context.Cause(ctx); cause != nil && cause != ctx.Err() {
		reason += " (" + cause.Error() + ")"
	}
	return &interruption{reason: reason, cause: ctx.Err(), lastStatus: status}
}

// describe returns the task, treating a DescribeTasks failure entry as an error.
func (r *Runner) describe(ctx context.Context, cluster, arn string) (ecstypes.Task, error) {
	out, err := r.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: []string{arn}})
	if err != nil {
		return ecstypes.Task{}, fmt.Errorf("describe task: %w", err)
	}
	if len(out.Tasks) == 0 {
		return ecstypes.Task{}, fmt.Errorf("describe task: %s", failuresText(out.Failures))
	}
	return out.Tasks[0], nil
}

func (r *Runner) progressf(format string, args ...any) {
	if r.Progress != nil {
		fmt.Fprintf(r.Progress, format+"\n", args...)
	}
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) sleep(ctx context.Context, d time.Duration) error {
	if r.Sleep != nil {
		return r.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
