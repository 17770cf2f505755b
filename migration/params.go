package migration

import (
	"cmp"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Defaults for the optional Params fields. The task definition must name its container
// DefaultContainerName and use DefaultLogStreamPrefix as its awslogs stream prefix
// unless the gate is told otherwise.
const (
	DefaultContainerName   = "spicedb-migrate"
	DefaultLogStreamPrefix = "migrate"
	DefaultTimeout         = 30 * time.Minute
	DefaultPollInterval    = 6 * time.Second
	DefaultStartedBy       = "spicedb-ecs-migrate-gate"
)

// Params describe one migration run.
type Params struct {
	Cluster           string   // required: ECS cluster name or ARN
	TaskDefinitionArn string   // required: task definition (ARN or family:revision) running `spicedb datastore migrate head`
	Subnets           []string // required: private subnets for the task's ENI
	SecurityGroups    []string // required: must allow egress to the database
	ContainerName     string   // default DefaultContainerName: the container whose exit code decides success
	LogGroup          string   // awslogs group of the container; empty means no log tail is fetched
	LogStreamPrefix   string   // default DefaultLogStreamPrefix: awslogs-stream-prefix of the container
	Timeout           time.Duration
	PollInterval      time.Duration
	StartedBy         string // default DefaultStartedBy: tags the task so operators can find it
}

// startedByPattern is what ECS accepts for RunTask's startedBy.
var startedByPattern = regexp.MustCompile(`^[A-Za-z0-9/_-]{1,128}$`)

// withDefaults fills every optional field that is unset.
func (p Params) withDefaults() Params {
	p.ContainerName = cmp.Or(p.ContainerName, DefaultContainerName)
	p.LogStreamPrefix = cmp.Or(p.LogStreamPrefix, DefaultLogStreamPrefix)
	p.Timeout = cmp.Or(p.Timeout, DefaultTimeout)
	p.PollInterval = cmp.Or(p.PollInterval, DefaultPollInterval)
	p.StartedBy = cmp.Or(p.StartedBy, DefaultStartedBy)
	return p
}

// Validate reports every problem with p (after defaults) at once, each naming its field.
func (p Params) Validate() error {
	p = p.withDefaults()
	var problems []string
	if p.Cluster == "" {
		problems = append(problems, "Cluster is required")
	}
	if p.TaskDefinitionArn == "" {
		problems = append(problems, "TaskDefinitionArn is required")
	}
	problems = append(problems, checkList("Subnets", p.Subnets)...)
	problems = append(problems, checkList("SecurityGroups", p.SecurityGroups)...)
	if p.Timeout < 0 {
		problems = append(problems, fmt.Sprintf("Timeout must be positive, got %s", p.Timeout))
	}
	if p.PollInterval < 0 {
		problems = append(problems, fmt.Sprintf("PollInterval must be positive, got %s", p.PollInterval))
	}
	if !startedByPattern.MatchString(p.StartedBy) {
		problems = append(problems, fmt.Sprintf("StartedBy %q must be 1-128 letters, digits, '-', '_' or '/'", p.StartedBy))
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("migration: invalid parameters: %s", strings.Join(problems, "; "))
}

// checkList requires at least one entry and no empty ones (an empty entry usually
// means a stray separator in the environment variable).
func checkList(field string, values []string) []string {
	if len(values) == 0 {
		return []string{field + " needs at least one entry"}
	}
	for i, v := range values {
		if v == "" {
			return []string{fmt.Sprintf("%s[%d] is empty", field, i)}
		}
	}
	return nil
}
