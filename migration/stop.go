package migration

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// stopConfirmTimeout bounds how long the runner waits, after StopTask, to see the
// migrate container stopped. ECS sends SIGTERM, then SIGKILL after the container's
// stopTimeout (30 s by default), so this leaves room for slow API answers.
const stopConfirmTimeout = 2 * time.Minute

// interruptedError is returned when the runner gave up on a task and stopped it.
type interruptedError struct {
	msg   string
	cause error
	logs  LogTail
}

func (e *interruptedError) Error() string { return e.msg }
func (e *interruptedError) Unwrap() error { return e.cause }

// stopAndReport stops the task (a half-finished migration must not race the next
// attempt; SpiceDB migrations take no lock) and explains what happened. It works on
// a context detached from ctx, which may be the very thing that was canceled.
func (r *Runner) stopAndReport(ctx context.Context, p Params, arn string, in *interruption) *interruptedError {
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopConfirmTimeout+runTaskTimeout)
	defer cancel()
	id := taskID(arn)
	r.progressf("stopping migration task %s: %s", id, in.reason)
	stopped := r.stopTask(stopCtx, p, arn, in.reason)
	logs := fetchLogTail(stopCtx, r.Logs, p.LogGroup, p.LogStreamPrefix, p.ContainerName, id)
	msg := fmt.Sprintf("migration: task %s %s (last status %s); %s", id, in.reason, orUnknown(in.lastStatus), stopped)
	if in.lastErr != nil {
		msg += fmt.Sprintf("\n  last error: %v", in.lastErr)
	}
	return &interruptedError{msg: msg + "\n" + logs.String(), cause: in.cause, logs: logs}
}

// stopTask asks ECS to stop the task and waits until its migrate container (or the
// whole task) is STOPPED. It returns a sentence saying how far it got.
func (r *Runner) stopTask(ctx context.Context, p Params, arn, reason string) string {
	_, err := r.ECS.StopTask(ctx, &ecs.StopTaskInput{
		Cluster: aws.String(p.Cluster),
		Task:    aws.String(arn),
		Reason:  aws.String(p.StartedBy + ": " + reason + "; a half-finished migration must not race the next attempt"),
	})
	if err != nil {
		return fmt.Sprintf("StopTask FAILED (%v): the migration may still be running; stop task %s in cluster %s before retrying", err, taskID(arn), p.Cluster)
	}
	deadline := r.now().Add(stopConfirmTimeout)
	status := ""
	for {
		task, err := r.describe(ctx, p.Cluster, arn)
		if err == nil {
			status = aws.ToString(task.LastStatus)
			c := findContainer(task, p.ContainerName)
			if status == statusStopped || (c != nil && aws.ToString(c.LastStatus) == statusStopped) {
				return "stopped it, so it cannot race the next attempt"
			}
		}
		remaining := deadline.Sub(r.now())
		if remaining <= 0 || r.sleep(ctx, min(p.PollInterval, remaining)) != nil {
			return fmt.Sprintf("asked ECS to stop it, but it was still %s after %s; make sure task %s has stopped before retrying",
				orUnknown(status), stopConfirmTimeout, taskID(arn))
		}
	}
}

func orUnknown(status string) string {
	if status == "" {
		return "unknown"
	}
	return status
}
