package nlb

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"
)

// State is a target's health state, named as AWS names them.
type State string

const (
	StateInitial   State = "initial"
	StateHealthy   State = "healthy"
	StateUnhealthy State = "unhealthy"
)

// Target is one registered task: where traffic goes and where its health
// check goes (they differ when the target group overrides the check port).
type Target struct {
	ID         string
	Addr       string // host:port traffic is forwarded to
	HealthAddr string // host:port the health check probes
}

// TargetHealth is a snapshot of one target, for tests and logs.
type TargetHealth struct {
	ID               string
	State            State
	Since            time.Time // last state change (registration for initial)
	Checks           int       // health checks completed
	ConsecutiveOK    int
	ConsecutiveFails int
	LastError        string // last failed check's reason, "" if it passed
	Routed           int64  // connections routed to the target so far
	Open             int    // connections currently open to it
}

// target is the mutable record behind TargetHealth; guarded by LB.mu.
type target struct {
	Target
	state      State
	since      time.Time
	checks     int
	okRun      int
	failRun    int
	lastErr    string
	routed     int64
	openConns  map[*proxiedConn]struct{}
	stopChecks context.CancelFunc
}

func (t *target) snapshot() TargetHealth {
	return TargetHealth{
		ID: t.ID, State: t.state, Since: t.since, Checks: t.checks,
		ConsecutiveOK: t.okRun, ConsecutiveFails: t.failRun, LastError: t.lastErr,
		Routed: t.routed, Open: len(t.openConns),
	}
}

// proxiedConn is one client connection and its upstream, closable when the
// target turns unhealthy.
type proxiedConn struct {
	once             sync.Once
	client, upstream net.Conn
}

func (p *proxiedConn) close() {
	p.once.Do(func() {
		p.client.Close()
		p.upstream.Close()
	})
}

// Register adds a target; its first health check runs immediately.
func (lb *LB) Register(t Target) error {
	if t.ID == "" || t.Addr == "" || t.HealthAddr == "" {
		return fmt.Errorf("nlb: target needs ID, Addr and HealthAddr: %+v", t)
	}
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if lb.closed {
		return fmt.Errorf("nlb: register %s: load balancer closed", t.ID)
	}
	for _, existing := range lb.targets {
		if existing.ID == t.ID {
			return fmt.Errorf("nlb: target %s already registered", t.ID)
		}
	}
	ctx, cancel := context.WithCancel(lb.ctx)
	rec := &target{Target: t, state: StateInitial, since: time.Now(), openConns: map[*proxiedConn]struct{}{}, stopChecks: cancel}
	lb.targets = append(lb.targets, rec)
	lb.wg.Add(1)
	go lb.checkLoop(ctx, rec)
	return nil
}

// checkLoop probes one target every interval until the LB closes.
func (lb *LB) checkLoop(ctx context.Context, t *target) {
	defer lb.wg.Done()
	ticker := time.NewTicker(lb.cfg.HealthCheck.Interval)
	defer ticker.Stop()
	for {
		err := lb.prober.probe(ctx, t.HealthAddr)
		if ctx.Err() != nil {
			return
		}
		lb.record(t, err)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// record applies one check result to the target's state machine.
func (lb *LB) record(t *target, err error) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	t.checks++
	prev := t.state
	if err == nil {
		t.okRun++
		t.failRun = 0
		t.lastErr = ""
		if t.state != StateHealthy && t.okRun >= lb.cfg.HealthCheck.HealthyThreshold {
			t.state = StateHealthy
		}
	} else {
		t.failRun++
		t.okRun = 0
		t.lastErr = err.Error()
		if t.state != StateUnhealthy && t.failRun >= lb.cfg.HealthCheck.UnhealthyThreshold {
			t.state = StateUnhealthy
			// Connection termination on unhealthy (the AWS default).
			for c := range t.openConns {
				c.close()
			}
		}
	}
	if t.state != prev {
		t.since = time.Now()
		lb.logf("nlb: target %s: %s -> %s (after %d checks; last error: %q)", t.ID, prev, t.state, t.checks, t.lastErr)
		lb.changed.Broadcast()
	}
}

// pick chooses the target for a new connection, or nil when none may get
// traffic. Round-robin over healthy targets; with FailOpen and no healthy
// target, round-robin over the unhealthy ones.
func (lb *LB) pick() *target {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	var eligible []*target
	for _, t := range lb.targets {
		if t.state == StateHealthy {
			eligible = append(eligible, t)
		}
	}
	if len(eligible) == 0 && lb.cfg.FailOpen {
		for _, t := range lb.targets {
			if t.state == StateUnhealthy {
				eligible = append(eligible, t)
			}
		}
	}
	if len(eligible) == 0 {
		lb.rejected++
		return nil
	}
	t := eligible[lb.next%uint64(len(eligible))]
	lb.next++
	t.routed++
	return t
}

// Health returns a snapshot of every registered target, in registration order.
func (lb *LB) Health() []TargetHealth {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	out := make([]TargetHealth, 0, len(lb.targets))
	for _, t := range lb.targets {
		out = append(out, t.snapshot())
	}
	return out
}

// Rejected counts client connections closed because no target was eligible.
func (lb *LB) Rejected() int64 {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.rejected
}

// WaitAll blocks until every registered target is in state want (and at
// least one target is registered), or ctx ends.
func (lb *LB) WaitAll(ctx context.Context, want State) error {
	return lb.waitFor(ctx, func() bool {
		if len(lb.targets) == 0 {
			return false
		}
		for _, t := range lb.targets {
			if t.state != want {
				return false
			}
		}
		return true
	}, fmt.Sprintf("all targets %s", want))
}

// WaitTarget blocks until target id is in state want, or ctx ends.
func (lb *LB) WaitTarget(ctx context.Context, id string, want State) error {
	return lb.waitFor(ctx, func() bool {
		for _, t := range lb.targets {
			if t.ID == id {
				return t.state == want
			}
		}
		return false
	}, fmt.Sprintf("target %s %s", id, want))
}

// waitFor evaluates cond under lb.mu each time a state changes.
func (lb *LB) waitFor(ctx context.Context, cond func() bool, what string) error {
	stop := context.AfterFunc(ctx, func() {
		lb.mu.Lock()
		defer lb.mu.Unlock()
		lb.changed.Broadcast()
	})
	defer stop()
	lb.mu.Lock()
	defer lb.mu.Unlock()
	for !cond() {
		if ctx.Err() != nil {
			return fmt.Errorf("nlb: waiting for %s: %w (now: %s)", what, ctx.Err(), lb.describeLocked())
		}
		lb.changed.Wait()
	}
	return nil
}

func (lb *LB) describeLocked() string {
	s := ""
	for i, t := range lb.targets {
		if i > 0 {
			s += "; "
		}
		s += fmt.Sprintf("%s=%s (last error %q)", t.ID, t.state, t.lastErr)
	}
	return s
}
