package migration

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// fixture is one Run with fakes, for checks to inspect.
type fixture struct {
	ecs      *fakeECS
	logs     *fakeLogs
	clock    *fakeClock
	progress *strings.Builder
	res      Result
	err      error
}

func numbered(n int) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d", i+1)
	}
	return lines
}

func TestRun(t *testing.T) {
	boom := errors.New("throttled")
	tests := []struct {
		name   string
		ecs    *fakeECS
		logs   *fakeLogs
		params func(*Params)
		// cancelOnSleep cancels Run's context before the nth sleep (0: never).
		cancelOnSleep int
		check         func(t *testing.T, f *fixture)
	}{
		{
			name: "success",
			ecs: &fakeECS{steps: []describeStep{
				{task: taskIn("PENDING")},
				{task: taskIn("RUNNING")},
				{task: stoppedTask(ecstypes.TaskStopCodeEssentialContainerExited, "Essential container in task exited", aws.Int32(0), "")},
			}},
			logs: &fakeLogs{lines: []string{"migrating postgres datastore", "migrated to head"}},
			check: func(t *testing.T, f *fixture) {
				if f.err != nil {
					t.Fatalf("Run: %v", f.err)
				}
				want := Result{TaskArn: testTaskArn, ExitCode: 0, Duration: 18 * time.Second, Logs: LogTail{
					Group: "/ecs/spicedb", Stream: "migrate/spicedb-migrate/" + testTaskID,
					Lines: []string{"migrating postgres datastore", "migrated to head"},
				}}
				if fmt.Sprint(f.res) != fmt.Sprint(want) {
					t.Errorf("result = %+v, want %+v", f.res, want)
				}
				if len(f.ecs.stopInputs) != 0 {
					t.Errorf("StopTask called on success")
				}
				for _, want := range []string{"started migration task " + testTaskID + " (PROVISIONING)", "PENDING after 6s", "RUNNING after 12s", "STOPPED after 18s"} {
					if !strings.Contains(f.progress.String(), want) {
						t.Errorf("progress %q lacks %q", f.progress, want)
					}
				}
			},
		},
		{
			name: "non-zero exit quotes the last 20 log lines, redacted",
			ecs: &fakeECS{steps: []describeStep{
				{task: stoppedTask(ecstypes.TaskStopCodeEssentialContainerExited, "Essential container in task exited", aws.Int32(1), "")},
			}},
			logs: &fakeLogs{lines: append(numbered(24), `{"level":"fatal","error":"failed to connect to postgres://spicedb:hunter2@db:5432/spicedb"}`)},
			check: func(t *testing.T, f *fixture) {
				var failed *TaskFailedError
				if !errors.As(f.err, &failed) {
					t.Fatalf("err = %v, want *TaskFailedError", f.err)
				}
				msg := f.err.Error()
				for _, want := range []string{
					"task " + testTaskID + " failed", `container "spicedb-migrate" exited with code 1`,
					"stop code: EssentialContainerExited", "stopped reason: Essential container in task exited",
					"last 20 log lines of /ecs/spicedb/migrate/spicedb-migrate/" + testTaskID,
					"| line 6\n", "| line 24\n", "postgres://spicedb:REDACTED@db:5432",
				} {
					if !strings.Contains(msg, want) {
						t.Errorf("error lacks %q:\n%s", want, msg)
					}
				}
				for _, leak := range []string{"hunter2", "| line 5\n"} {
					if strings.Contains(msg, leak) {
						t.Errorf("error contains %q:\n%s", leak, msg)
					}
				}
				if f.res.ExitCode != 1 || len(f.res.Logs.Lines) != 20 || f.res.TaskArn != testTaskArn {
					t.Errorf("result = %+v, want exit 1, 20 log lines, task ARN", f.res)
				}
			},
		},
		{
			name: "image pull failure: task failed to start, no log stream",
			ecs: &fakeECS{steps: []describeStep{{task: stoppedTask(ecstypes.TaskStopCodeTaskFailedToStart,
				"CannotPullContainerError: pull image manifest has been retried 7 time(s): not found", nil,
				"CannotPullContainerError: pull image manifest has been retried 7 time(s): not found")}}},
			logs: &fakeLogs{err: &logstypes.ResourceNotFoundException{Message: aws.String("The specified log stream does not exist.")}},
			check: func(t *testing.T, f *fixture) {
				var failed *TaskFailedError
				if !errors.As(f.err, &failed) {
					t.Fatalf("err = %v, want *TaskFailedError", f.err)
				}
				if failed.StopCode != "TaskFailedToStart" || failed.ExitCode != NoExitCode ||
					!strings.HasPrefix(failed.ContainerReason, "CannotPullContainerError: ") {
					t.Errorf("failure = %+v", failed)
				}
				msg := f.err.Error()
				for _, want := range []string{"did not report an exit code", "stop code: TaskFailedToStart",
					"container reason: CannotPullContainerError:", "log stream migrate/spicedb-migrate/" + testTaskID + " not found in log group /ecs/spicedb"} {
					if !strings.Contains(msg, want) {
						t.Errorf("error lacks %q:\n%s", want, msg)
					}
				}
			},
		},
		{
			name: "secret fetch failure: ResourceInitializationError",
			ecs: &fakeECS{steps: []describeStep{{task: stoppedTask(ecstypes.TaskStopCodeTaskFailedToStart,
				"ResourceInitializationError: unable to pull secrets or registry auth: AccessDeniedException", nil, "")}}},
			logs: &fakeLogs{err: errors.New("AccessDenied: logs:GetLogEvents")},
			check: func(t *testing.T, f *fixture) {
				msg := fmt.Sprint(f.err)
				for _, want := range []string{"stopped reason: ResourceInitializationError: unable to pull secrets",
					"could not read log stream /ecs/spicedb/migrate/spicedb-migrate/" + testTaskID + ": AccessDenied"} {
					if !strings.Contains(msg, want) {
						t.Errorf("error lacks %q:\n%s", want, msg)
					}
				}
			},
		},
		{
			name:   "container missing from task definition",
			ecs:    &fakeECS{steps: []describeStep{{task: stoppedTask(ecstypes.TaskStopCodeEssentialContainerExited, "Essential container in task exited", aws.Int32(0), "")}}},
			logs:   &fakeLogs{},
			params: func(p *Params) { p.ContainerName = "migrate" },
			check: func(t *testing.T, f *fixture) {
				if msg := fmt.Sprint(f.err); !strings.Contains(msg, `task has no container named "migrate"`) {
					t.Errorf("err = %v, want missing-container error", f.err)
				}
			},
		},
		{
			name: "RunTask failures are named",
			ecs: &fakeECS{runOut: &ecs.RunTaskOutput{Failures: []ecstypes.Failure{{
				Reason: aws.String("RESOURCE:ENI"), Detail: aws.String("no free addresses in subnet-aaa"), Arn: aws.String("arn:aws:ecs:eu-west-1:123456789012:cluster/spicedb-cluster"),
			}}}},
			logs: &fakeLogs{},
			check: func(t *testing.T, f *fixture) {
				msg := fmt.Sprint(f.err)
				if !strings.Contains(msg, "ECS started no task: RESOURCE:ENI (no free addresses in subnet-aaa)") {
					t.Errorf("err = %v", f.err)
				}
				if f.ecs.describeCalls != 0 || len(f.ecs.stopInputs) != 0 {
					t.Errorf("describe/stop called after failed RunTask")
				}
			},
		},
		{
			name: "RunTask error is wrapped",
			ecs:  &fakeECS{runErr: boom},
			logs: &fakeLogs{},
			check: func(t *testing.T, f *fixture) {
				if !errors.Is(f.err, boom) || !strings.HasPrefix(f.err.Error(), "migration: run task: ") {
					t.Errorf("err = %v, want wrapped RunTask error", f.err)
				}
			},
		},
		{
			name:   "timeout stops the task",
			ecs:    &fakeECS{steps: []describeStep{{task: taskIn("RUNNING")}}},
			logs:   &fakeLogs{lines: []string{"running migration add_relationship_counters"}},
			params: func(p *Params) { p.Timeout = 30 * time.Second },
			check: func(t *testing.T, f *fixture) {
				if !errors.Is(f.err, ErrTimeout) {
					t.Fatalf("err = %v, want ErrTimeout", f.err)
				}
				checkStopped(t, f, "timed out after 30s")
				msg := f.err.Error()
				for _, want := range []string{"task " + testTaskID + " timed out after 30s (last status RUNNING)",
					"stopped it, so it cannot race the next attempt", "| running migration add_relationship_counters"} {
					if !strings.Contains(msg, want) {
						t.Errorf("error lacks %q:\n%s", want, msg)
					}
				}
				if f.ecs.describeCalls != 6 { // 5 polls of 6s, then one to confirm the stop
					t.Errorf("DescribeTasks calls = %d, want 6", f.ecs.describeCalls)
				}
				if f.res.TaskArn != testTaskArn || f.res.Duration != 30*time.Second {
					t.Errorf("result = %+v", f.res)
				}
			},
		},
		{
			name:   "timeout with StopTask failing says the task may still run",
			ecs:    &fakeECS{steps: []describeStep{{task: taskIn("RUNNING")}}, stopErr: errors.New("AccessDeniedException")},
			logs:   &fakeLogs{},
			params: func(p *Params) { p.Timeout = 12 * time.Second },
			check: func(t *testing.T, f *fixture) {
				if msg := fmt.Sprint(f.err); !errors.Is(f.err, ErrTimeout) ||
					!strings.Contains(msg, "StopTask FAILED (AccessDeniedException): the migration may still be running; stop task "+testTaskID+" in cluster spicedb-cluster") {
					t.Errorf("err = %v", f.err)
				}
			},
		},
		{
			name:   "timeout with the stop not confirmed",
			ecs:    &fakeECS{steps: []describeStep{{task: taskIn("RUNNING")}}, ignoreStop: true},
			logs:   &fakeLogs{},
			params: func(p *Params) { p.Timeout = 12 * time.Second },
			check: func(t *testing.T, f *fixture) {
				if msg := fmt.Sprint(f.err); !strings.Contains(msg, "asked ECS to stop it, but it was still RUNNING after 2m0s") {
					t.Errorf("err = %v", f.err)
				}
			},
		},
		{
			name:          "context cancellation stops the task",
			ecs:           &fakeECS{steps: []describeStep{{task: taskIn("RUNNING")}}},
			logs:          &fakeLogs{},
			cancelOnSleep: 3,
			check: func(t *testing.T, f *fixture) {
				if !errors.Is(f.err, context.Canceled) {
					t.Fatalf("err = %v, want context.Canceled", f.err)
				}
				checkStopped(t, f, "canceled")
				if msg := f.err.Error(); !strings.Contains(msg, "task "+testTaskID+" canceled (last status RUNNING); stopped it") {
					t.Errorf("err = %v", msg)
				}
			},
		},
		{
			name: "transient DescribeTasks errors are retried",
			ecs: &fakeECS{steps: []describeStep{
				{err: boom}, {err: boom}, {task: taskIn("RUNNING")}, {err: boom},
				{task: stoppedTask(ecstypes.TaskStopCodeEssentialContainerExited, "Essential container in task exited", aws.Int32(0), "")},
			}},
			logs: &fakeLogs{},
			check: func(t *testing.T, f *fixture) {
				if f.err != nil {
					t.Fatalf("Run: %v", f.err)
				}
				if !strings.Contains(f.progress.String(), "checking task "+testTaskID+" failed (2 of 5 tries)") {
					t.Errorf("progress = %q", f.progress)
				}
			},
		},
		{
			name: "persistent DescribeTasks errors stop the task",
			ecs:  &fakeECS{steps: []describeStep{{err: boom}}},
			logs: &fakeLogs{},
			check: func(t *testing.T, f *fixture) {
				if !errors.Is(f.err, boom) {
					t.Fatalf("err = %v, want the describe error", f.err)
				}
				if msg := f.err.Error(); !strings.Contains(msg, "lost track of the task") || !strings.Contains(msg, "last error: describe task: throttled") {
					t.Errorf("err = %v", msg)
				}
				if len(f.ecs.stopInputs) != 1 {
					t.Errorf("StopTask calls = %d, want 1", len(f.ecs.stopInputs))
				}
			},
		},
		{
			name:   "no log group: no log call, said so",
			ecs:    &fakeECS{steps: []describeStep{{task: stoppedTask(ecstypes.TaskStopCodeEssentialContainerExited, "Essential container in task exited", aws.Int32(3), "")}}},
			logs:   &fakeLogs{},
			params: func(p *Params) { p.LogGroup = "" },
			check: func(t *testing.T, f *fixture) {
				if len(f.logs.inputs) != 0 {
					t.Errorf("GetLogEvents called without a log group")
				}
				if msg := fmt.Sprint(f.err); !strings.Contains(msg, "exited with code 3") || !strings.Contains(msg, "no log group configured") {
					t.Errorf("err = %v", msg)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f := &fixture{ecs: tt.ecs, logs: tt.logs, progress: &strings.Builder{},
				clock: &fakeClock{now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}}
			if tt.cancelOnSleep > 0 {
				f.clock.onSleep = func(n int) {
					if n == tt.cancelOnSleep {
						cancel()
					}
				}
			}
			p := validParams()
			if tt.params != nil {
				tt.params(&p)
			}
			r := &Runner{ECS: f.ecs, Logs: f.logs, Progress: f.progress, Now: f.clock.Now, Sleep: f.clock.Sleep}
			f.res, f.err = r.Run(ctx, p)
			if len(f.ecs.runInputs) > 1 {
				t.Errorf("RunTask called %d times, want at most once", len(f.ecs.runInputs))
			}
			tt.check(t, f)
		})
	}
}

// checkStopped asserts exactly one StopTask for the task with a reason containing why.
func checkStopped(t *testing.T, f *fixture, why string) {
	t.Helper()
	if len(f.ecs.stopInputs) != 1 {
		t.Fatalf("StopTask calls = %d, want 1", len(f.ecs.stopInputs))
	}
	in := f.ecs.stopInputs[0]
	reason := aws.ToString(in.Reason)
	if aws.ToString(in.Task) != testTaskArn || aws.ToString(in.Cluster) != testCluster ||
		!strings.HasPrefix(reason, DefaultStartedBy+": ") || !strings.Contains(reason, why) || !strings.Contains(reason, "race") {
		t.Errorf("StopTask input = task %s cluster %s reason %q", aws.ToString(in.Task), aws.ToString(in.Cluster), reason)
	}
	if len(reason) > 255 {
		t.Errorf("StopTask reason is %d characters, ECS accepts 255", len(reason))
	}
}

func TestRunTaskInput(t *testing.T) {
	f := &fakeECS{steps: []describeStep{{task: stoppedTask(ecstypes.TaskStopCodeEssentialContainerExited, "", aws.Int32(0), "")}}}
	clock := &fakeClock{now: time.Unix(0, 0)}
	r := &Runner{ECS: f, Logs: &fakeLogs{}, Now: clock.Now, Sleep: clock.Sleep}
	if _, err := r.Run(context.Background(), validParams()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(f.runInputs) != 1 {
		t.Fatalf("RunTask calls = %d, want 1", len(f.runInputs))
	}
	in := f.runInputs[0]
	vpc := in.NetworkConfiguration.AwsvpcConfiguration
	checks := []struct {
		what      string
		got, want any
	}{
		{"cluster", aws.ToString(in.Cluster), testCluster},
		{"task definition", aws.ToString(in.TaskDefinition), testTaskDef},
		{"launch type", in.LaunchType, ecstypes.LaunchTypeFargate},
		{"count", aws.ToInt32(in.Count), int32(1)},
		{"startedBy", aws.ToString(in.StartedBy), DefaultStartedBy},
		{"subnets", fmt.Sprint(vpc.Subnets), "[subnet-aaa subnet-bbb]"},
		{"security groups", fmt.Sprint(vpc.SecurityGroups), "[sg-migrate]"},
		{"public IP", vpc.AssignPublicIp, ecstypes.AssignPublicIpDisabled},
		{"overrides", in.Overrides == nil, true}, // the task definition alone decides what runs
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
}

func TestRunRejectsBeforeStarting(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		params Params
		want   string
	}{
		{"invalid params", context.Background(), Params{Cluster: testCluster}, "TaskDefinitionArn is required"},
		{"context already canceled", canceled, validParams(), "migration: not started: context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeECS{}
			_, err := (&Runner{ECS: f, Logs: &fakeLogs{}}).Run(tt.ctx, tt.params)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
			if len(f.runInputs) != 0 {
				t.Errorf("RunTask called")
			}
		})
	}
}

func TestRealSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := (&Runner{}).sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep = %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("sleep ignored the canceled context")
	}
}
