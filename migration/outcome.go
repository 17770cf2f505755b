package migration

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// NoExitCode is Result.ExitCode when the container never reported one
// (it failed to start, or the task was stopped before it exited).
const NoExitCode = -1

// TaskFailedError is returned when the migration task stopped without its container
// exiting 0. Every field is copied from ECS (redacted like the log lines), so the
// message explains the failure without opening the console.
type TaskFailedError struct {
	TaskID          string
	Container       string
	StopCode        string // e.g. TaskFailedToStart, EssentialContainerExited
	StoppedReason   string
	ContainerReason string // e.g. "CannotPullContainerError: ..." or "ResourceInitializationError: ..."
	ExitCode        int    // NoExitCode if the container never reported one
	Logs            LogTail
}

func (e *TaskFailedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "migration: task %s failed: ", e.TaskID)
	if e.ExitCode == NoExitCode {
		fmt.Fprintf(&b, "container %q did not report an exit code", e.Container)
	} else {
		fmt.Fprintf(&b, "container %q exited with code %d", e.Container, e.ExitCode)
	}
	writeField(&b, "stop code", e.StopCode)
	writeField(&b, "stopped reason", e.StoppedReason)
	writeField(&b, "container reason", e.ContainerReason)
	b.WriteString("\n")
	b.WriteString(e.Logs.String())
	return b.String()
}

func writeField(b *strings.Builder, name, value string) {
	if value != "" {
		fmt.Fprintf(b, "\n  %s: %s", name, value)
	}
}

// findContainer returns the named container of task, or nil.
func findContainer(task ecstypes.Task, name string) *ecstypes.Container {
	for i := range task.Containers {
		if aws.ToString(task.Containers[i].Name) == name {
			return &task.Containers[i]
		}
	}
	return nil
}

// exitCodeOf is the container's exit code, or NoExitCode.
func exitCodeOf(c *ecstypes.Container) int {
	if c == nil || c.ExitCode == nil {
		return NoExitCode
	}
	return int(*c.ExitCode)
}

// stoppedTaskError judges a STOPPED task: nil only if the migrate container exited 0.
func stoppedTaskError(task ecstypes.Task, container string, logs LogTail) error {
	c := findContainer(task, container)
	exit := exitCodeOf(c)
	if exit == 0 {
		return nil
	}
	e := &TaskFailedError{
		TaskID:        taskID(aws.ToString(task.TaskArn)),
		Container:     container,
		StopCode:      string(task.StopCode),
		StoppedReason: redact(aws.ToString(task.StoppedReason)),
		ExitCode:      exit,
		Logs:          logs,
	}
	if c == nil {
		e.ContainerReason = fmt.Sprintf("task has no container named %q (check the task definition and --container)", container)
	} else {
		e.ContainerReason = redact(aws.ToString(c.Reason))
	}
	return e
}

// taskID is the last segment of a task ARN (arn:aws:ecs:region:account:task/cluster/id),
// which is also the last segment of its awslogs stream name.
func taskID(arn string) string {
	return arn[strings.LastIndex(arn, "/")+1:]
}
