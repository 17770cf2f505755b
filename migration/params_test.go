package migration

import (
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Params)
		want   []string // substrings of the error; none means valid
	}{
		{name: "valid with defaults", modify: func(*Params) {}},
		{name: "nothing set", modify: func(p *Params) { *p = Params{} },
			want: []string{"Cluster is required", "TaskDefinitionArn is required", "Subnets needs at least one entry", "SecurityGroups needs at least one entry"}},
		{name: "empty subnet entry", modify: func(p *Params) { p.Subnets = []string{"subnet-aaa", ""} }, want: []string{"Subnets[1] is empty"}},
		{name: "empty security group entry", modify: func(p *Params) { p.SecurityGroups = []string{""} }, want: []string{"SecurityGroups[0] is empty"}},
		{name: "negative timeout", modify: func(p *Params) { p.Timeout = -time.Minute }, want: []string{"Timeout must be positive, got -1m0s"}},
		{name: "negative poll interval", modify: func(p *Params) { p.PollInterval = -time.Second }, want: []string{"PollInterval must be positive"}},
		{name: "startedBy with spaces", modify: func(p *Params) { p.StartedBy = "pulumi up" }, want: []string{`StartedBy "pulumi up" must be`}},
		{name: "startedBy too long", modify: func(p *Params) { p.StartedBy = strings.Repeat("a", 129) }, want: []string{"StartedBy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validParams()
			tt.modify(&p)
			err := p.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate passed, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestWithDefaults(t *testing.T) {
	got := Params{}.withDefaults()
	if got.ContainerName != "spicedb-migrate" || got.LogStreamPrefix != "migrate" || got.Timeout != 30*time.Minute ||
		got.PollInterval != 6*time.Second || got.StartedBy != "spicedb-ecs-migrate-gate" {
		t.Errorf("defaults = %+v", got)
	}
	set := Params{ContainerName: "c", LogStreamPrefix: "p", Timeout: time.Minute, PollInterval: time.Second, StartedBy: "s"}
	if got := set.withDefaults(); got.ContainerName != "c" || got.LogStreamPrefix != "p" || got.Timeout != time.Minute ||
		got.PollInterval != time.Second || got.StartedBy != "s" {
		t.Errorf("defaults overrode set values: %+v", got)
	}
}
