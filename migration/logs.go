package migration

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// logTailLines is how many of the container's last log lines a result quotes:
// enough to show SpiceDB's final error, few enough to read in `pulumi up` output.
const logTailLines = 20

// LogTail is the end of the migrate container's CloudWatch log stream.
type LogTail struct {
	Group  string
	Stream string
	Lines  []string // oldest first, at most logTailLines, credentials in URIs redacted
	// Unavailable says why Lines is empty when it is (no log group configured,
	// stream missing because the container never started, read error).
	Unavailable string
}

// String renders the tail for a human, indented so it stands apart inside an error.
func (t LogTail) String() string {
	if t.Unavailable != "" {
		return "  logs: " + t.Unavailable
	}
	if len(t.Lines) == 0 {
		return fmt.Sprintf("  logs: %s/%s is empty", t.Group, t.Stream)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  last %d log lines of %s/%s:", len(t.Lines), t.Group, t.Stream)
	for _, line := range t.Lines {
		b.WriteString("\n    | ")
		b.WriteString(line)
	}
	return b.String()
}

// logStreamName is the stream the awslogs driver writes for a container of a task.
func logStreamName(prefix, container, taskID string) string {
	return prefix + "/" + container + "/" + taskID
}

// fetchLogTail reads the last lines of the task's stream. It never fails: a missing
// stream or read error is reported in Unavailable, because the task's outcome, not
// the logs, decides success. The stream is complete by the time the task is STOPPED:
// ECS only reports STOPPED after the container exited and its log driver flushed.
func fetchLogTail(ctx context.Context, logs LogsAPI, group, prefix, container, taskID string) LogTail {
	tail := LogTail{Group: group, Stream: logStreamName(prefix, container, taskID)}
	if group == "" {
		tail.Unavailable = "no log group configured, so no log tail"
		return tail
	}
	out, err := logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{
		LogGroupName:  aws.String(group),
		LogStreamName: aws.String(tail.Stream),
		StartFromHead: aws.Bool(false),
		Limit:         aws.Int32(logTailLines),
	})
	var notFound *logstypes.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		tail.Unavailable = fmt.Sprintf("log stream %s not found in log group %s (the container probably never started)", tail.Stream, group)
		return tail
	case err != nil:
		tail.Unavailable = fmt.Sprintf("could not read log stream %s/%s: %v", group, tail.Stream, err)
		return tail
	}
	var lines []string
	for _, ev := range out.Events {
		msg := strings.TrimRight(aws.ToString(ev.Message), "\r\n")
		for line := range strings.SplitSeq(msg, "\n") {
			lines = append(lines, redact(line))
		}
	}
	if len(lines) > logTailLines {
		lines = lines[len(lines)-logTailLines:]
	}
	tail.Lines = lines
	return tail
}

var (
	// userinfoPassword matches the password in scheme://user:password@host.
	userinfoPassword = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s]*:)[^@\s]*@`)
	// keywordPassword matches libpq keyword/value passwords (password=...).
	keywordPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('[^']*'|\S+)`)
)

// redact masks credentials a log line might carry. SpiceDB's migrate and pgx do not
// log the connection URI today; this guards the error message (which ends up in CI
// logs) against a future release or a verbose driver doing so.
func redact(line string) string {
	line = userinfoPassword.ReplaceAllString(line, "${1}REDACTED@")
	return keywordPassword.ReplaceAllString(line, "${1}REDACTED")
}
