package migration

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

const (
	testCluster = "spicedb-cluster"
	testTaskDef = "arn:aws:ecs:eu-west-1:123456789012:task-definition/spicedb-migrate:7"
	testTaskID  = "0a1b2c3d4e5f"
	testTaskArn = "arn:aws:ecs:eu-west-1:123456789012:task/spicedb-cluster/" + testTaskID
)

// describeStep is one scripted DescribeTasks answer.
type describeStep struct {
	task ecstypes.Task
	err  error
}

// fakeECS answers RunTask once, DescribeTasks from a script (the last step repeats),
// and records every call. After StopTask, DescribeTasks reports the task STOPPED
// unless ignoreStop is set.
type fakeECS struct {
	runOut *ecs.RunTaskOutput
	runErr error
	steps  []describeStep

	stopErr    error
	ignoreStop bool

	runInputs     []*ecs.RunTaskInput
	describeCalls int
	stopInputs    []*ecs.StopTaskInput
}

func (f *fakeECS) RunTask(_ context.Context, in *ecs.RunTaskInput, _ ...func(*ecs.Options)) (*ecs.RunTaskOutput, error) {
	f.runInputs = append(f.runInputs, in)
	if f.runErr != nil {
		return nil, f.runErr
	}
	if f.runOut != nil {
		return f.runOut, nil
	}
	return &ecs.RunTaskOutput{Tasks: []ecstypes.Task{taskIn("PROVISIONING")}}, nil
}

func (f *fakeECS) DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, _ ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	f.describeCalls++
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(in.Tasks) != 1 || in.Tasks[0] != testTaskArn || aws.ToString(in.Cluster) != testCluster {
		return nil, fmt.Errorf("fake: unexpected DescribeTasks input %v in %v", in.Tasks, aws.ToString(in.Cluster))
	}
	if len(f.stopInputs) > 0 && f.stopErr == nil && !f.ignoreStop {
		return &ecs.DescribeTasksOutput{Tasks: []ecstypes.Task{stoppedTask(ecstypes.TaskStopCodeUserInitiated, "stopped by gate", nil, "")}}, nil
	}
	if len(f.steps) == 0 {
		return nil, errors.New("fake: no DescribeTasks script")
	}
	step := f.steps[min(f.describeCalls, len(f.steps))-1]
	if step.err != nil {
		return nil, step.err
	}
	return &ecs.DescribeTasksOutput{Tasks: []ecstypes.Task{step.task}}, nil
}

func (f *fakeECS) StopTask(_ context.Context, in *ecs.StopTaskInput, _ ...func(*ecs.Options)) (*ecs.StopTaskOutput, error) {
	f.stopInputs = append(f.stopInputs, in)
	if f.stopErr != nil {
		return nil, f.stopErr
	}
	return &ecs.StopTaskOutput{}, nil
}

// fakeLogs returns lines as one event each, or err.
type fakeLogs struct {
	lines  []string
	err    error
	inputs []*cloudwatchlogs.GetLogEventsInput
}

func (f *fakeLogs) GetLogEvents(_ context.Context, in *cloudwatchlogs.GetLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetLogEventsOutput, error) {
	f.inputs = append(f.inputs, in)
	if f.err != nil {
		return nil, f.err
	}
	out := &cloudwatchlogs.GetLogEventsOutput{}
	for _, l := range f.lines {
		out.Events = append(out.Events, logstypes.OutputLogEvent{Message: aws.String(l)})
	}
	return out, nil
}

// fakeClock advances only when the runner sleeps, so tests of 30-minute timeouts are instant.
type fakeClock struct {
	now    time.Time
	sleeps []time.Duration
	// onSleep runs before each sleep with its 1-based number (e.g. to cancel a context).
	onSleep func(n int)
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.sleeps = append(c.sleeps, d)
	if c.onSleep != nil {
		c.onSleep(len(c.sleeps))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.now = c.now.Add(d)
	return nil
}

func taskIn(status string) ecstypes.Task {
	return ecstypes.Task{
		TaskArn:    aws.String(testTaskArn),
		LastStatus: aws.String(status),
		Containers: []ecstypes.Container{{Name: aws.String(DefaultContainerName), LastStatus: aws.String(status)}},
	}
}

// stoppedTask is a STOPPED task whose migrate container has the given exit code (nil:
// none reported) and reason.
func stoppedTask(code ecstypes.TaskStopCode, stoppedReason string, exit *int32, containerReason string) ecstypes.Task {
	t := taskIn(statusStopped)
	t.StopCode = code
	t.StoppedReason = aws.String(stoppedReason)
	t.Containers[0].ExitCode = exit
	if containerReason != "" {
		t.Containers[0].Reason = aws.String(containerReason)
	}
	return t
}

func validParams() Params {
	return Params{
		Cluster:           testCluster,
		TaskDefinitionArn: testTaskDef,
		Subnets:           []string{"subnet-aaa", "subnet-bbb"},
		SecurityGroups:    []string{"sg-migrate"},
		LogGroup:          "/ecs/spicedb",
	}
}
