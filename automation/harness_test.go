package automation_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"

	"github.com/spicedb-ecs/spicedb-ecs/automation"
	"github.com/spicedb-ecs/spicedb-ecs/automation/enginetest"
	"github.com/spicedb-ecs/spicedb-ecs/internal/syncio"
	"github.com/spicedb-ecs/spicedb-ecs/internal/testkit"
)

// harness drives one environment's stacks through the automation package
// and records what the engine printed and emitted.
type harness struct {
	env      *enginetest.Env
	progress syncio.Buffer // the leak checks read it
	mu       sync.Mutex
	events   []events.EngineEvent
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return &harness{env: enginetest.New(t)}
}

// open opens a stack of the project copy with these overrides; they are
// saved in the copy's stack file, so they stay for later opens.
func (h *harness) open(t *testing.T, name string, config, secrets map[string]string) *automation.Stack {
	t.Helper()
	s, err := automation.Open(context.Background(), automation.Options{
		Stack:        name,
		ProjectDir:   h.env.ProjectDir,
		BackendURL:   h.env.BackendURL(),
		EnvVars:      h.env.Vars,
		Config:       config,
		Secrets:      secrets,
		Progress:     &h.progress,
		EngineEvents: h.record,
	})
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	return s
}

func (h *harness) record(e events.EngineEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, e)
}

// reset forgets the recorded events and the fake cloud's ledger, so that the
// next operation can be judged alone.
func (h *harness) reset() {
	h.mu.Lock()
	h.events = nil
	h.mu.Unlock()
	h.env.Cloud.ResetLedger()
}

// mustStep runs one step of a scenario; later steps need its state.
func mustStep(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	if !t.Run(name, f) {
		t.FailNow()
	}
}

// upChangesNothing runs up again: the engine must report only "same" and
// the fake cloud must see no operation at all.
func (h *harness) upChangesNothing(t *testing.T, s *automation.Stack) {
	t.Helper()
	h.reset()
	res, err := s.Up(context.Background())
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	if changes := testkit.ChangedOps(res.Summary.ResourceChanges); len(changes) != 0 {
		t.Errorf("up changed %v, want only same", changes)
	}
	if ev := h.env.Cloud.Events(); len(ev) != 0 {
		t.Errorf("up reached the cloud: %+v", ev)
	}
}

// eventsJSON is every recorded engine event as JSON, for leak checks.
func (h *harness) eventsJSON(t *testing.T) string {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.events) == 0 {
		t.Fatalf("no engine events recorded: the leak check would check nothing")
	}
	var b strings.Builder
	for _, e := range h.events {
		j, err := json.Marshal(e.EngineEvent)
		if err != nil {
			t.Fatalf("marshal engine event: %v", err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

// steps are the recorded non-"same" steps as "op type::name", sorted; the
// engine's own stack and default providers are left out.
func (h *harness) steps() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.events {
		pre := e.ResourcePreEvent
		if pre == nil || pre.Metadata.Op == "same" || pre.Metadata.Op == "read" {
			continue
		}
		m := pre.Metadata
		if m.Type == "pulumi:pulumi:Stack" || strings.HasPrefix(m.Type, "pulumi:providers:") {
			continue
		}
		out = append(out, string(m.Op)+" "+m.Type+"::"+urnName(string(m.URN)))
	}
	sort.Strings(out)
	return out
}

func urnName(urn string) string { return urn[strings.LastIndex(urn, "::")+2:] }
