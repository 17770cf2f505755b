package nlb

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"
)

func TestStateMachine(t *testing.T) {
	type step struct {
		ok   bool
		want State
	}
	cases := []struct {
		name      string
		threshold [2]int // healthy, unhealthy
		steps     []step
	}{
		{"initial to healthy after threshold", [2]int{3, 2}, []step{
			{true, StateInitial}, {true, StateInitial}, {true, StateHealthy}}},
		{"initial to unhealthy after threshold", [2]int{2, 3}, []step{
			{false, StateInitial}, {false, StateInitial}, {false, StateUnhealthy}}},
		{"runs reset on a differing result", [2]int{2, 2}, []step{
			{true, StateInitial}, {false, StateInitial}, {true, StateInitial}, {true, StateHealthy},
			{false, StateHealthy}, {true, StateHealthy}, {false, StateHealthy}, {false, StateUnhealthy}}},
		{"recovery needs the healthy threshold", [2]int{3, 2}, []step{
			{false, StateInitial}, {false, StateUnhealthy}, {true, StateUnhealthy}, {true, StateUnhealthy}, {true, StateHealthy}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hc := fastCheck()
			hc.HealthyThreshold, hc.UnhealthyThreshold = c.threshold[0], c.threshold[1]
			lb := &LB{cfg: Config{HealthCheck: hc}}
			lb.changed = sync.NewCond(&lb.mu)
			tg := &target{state: StateInitial, openConns: map[*proxiedConn]struct{}{}}
			lb.targets = []*target{tg}
			for i, s := range c.steps {
				var err error
				if !s.ok {
					err = errors.New("down")
				}
				lb.record(tg, err)
				if tg.state != s.want {
					t.Fatalf("after step %d (ok=%v): state %s, want %s", i, s.ok, tg.state, s.want)
				}
			}
		})
	}
}

func TestPickSkipsInitialTargetsEvenWhenFailingOpen(t *testing.T) {
	lb := &LB{cfg: Config{FailOpen: true}}
	lb.targets = []*target{{state: StateInitial}, {state: StateInitial}}
	if got := lb.pick(); got != nil {
		t.Errorf("picked a target in state initial")
	}
	lb.targets[1].state = StateUnhealthy
	if got := lb.pick(); got != lb.targets[1] {
		t.Errorf("fail-open did not pick the unhealthy target")
	}
	lb.cfg.FailOpen = false
	if got := lb.pick(); got != nil {
		t.Errorf("picked an unhealthy target without fail-open")
	}
}

func TestNoTrafficWhileNoTargetIsHealthy(t *testing.T) {
	lb, backends := startTestLBWithBackends(t, Config{}, 2, http.StatusServiceUnavailable)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := range 3 {
		if id, conn := greet(t, lb); id != "" {
			conn.Close()
			t.Fatalf("connection %d reached %s although no target is healthy", i, id)
		}
	}
	if err := lb.WaitAll(ctx, StateUnhealthy); err != nil {
		t.Fatal(err)
	}
	if id, conn := greet(t, lb); id != "" {
		conn.Close()
		t.Fatalf("connection reached %s although all targets are unhealthy", id)
	}
	for _, b := range backends {
		if n := b.accepted.Load(); n != 0 {
			t.Errorf("backend %s accepted %d connections", b.id, n)
		}
	}
	if lb.Rejected() != 4 {
		t.Errorf("rejected = %d, want 4", lb.Rejected())
	}
}

func TestFailOpenRoutesToUnhealthyTargets(t *testing.T) {
	lb, _ := startTestLBWithBackends(t, Config{FailOpen: true}, 2, http.StatusServiceUnavailable)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := lb.WaitAll(ctx, StateUnhealthy); err != nil {
		t.Fatal(err)
	}
	id, conn := greet(t, lb)
	if id == "" {
		t.Fatal("fail-open LB closed the connection")
	}
	conn.Close()
}

func TestRoundRobinOverHealthyTargets(t *testing.T) {
	lb, backends := startTestLBWithBackends(t, Config{}, 3, http.StatusOK)
	backends[2].status.Store(http.StatusServiceUnavailable)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, id := range []string{"t0", "t1"} {
		if err := lb.WaitTarget(ctx, id, StateHealthy); err != nil {
			t.Fatal(err)
		}
	}
	counts := map[string]int{}
	for range 10 {
		id, conn := greet(t, lb)
		if id == "" {
			t.Fatal("connection closed with healthy targets available")
		}
		conn.Close()
		counts[id]++
	}
	if counts["t0"] != 5 || counts["t1"] != 5 || counts["t2"] != 0 {
		t.Errorf("distribution %v, want t0=5 t1=5 t2=0", counts)
	}
	var routed int64
	for _, h := range lb.Health() {
		routed += h.Routed
	}
	if routed != 10 {
		t.Errorf("routed total %d, want 10", routed)
	}
}

func TestTargetTurningUnhealthyLosesConnectionsAndTraffic(t *testing.T) {
	lb, backends := startTestLBWithBackends(t, Config{}, 2, http.StatusOK)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := lb.WaitAll(ctx, StateHealthy); err != nil {
		t.Fatal(err)
	}
	conns := map[string]io.ReadWriteCloser{}
	for range 2 {
		id, conn := greet(t, lb)
		if id == "" {
			t.Fatal("connection closed with healthy targets")
		}
		conns[id] = conn
		defer conn.Close()
	}
	backends[0].status.Store(http.StatusServiceUnavailable)
	if err := lb.WaitTarget(ctx, "t0", StateUnhealthy); err != nil {
		t.Fatal(err)
	}
	// The open connection to t0 was terminated; the one to t1 still echoes.
	if _, err := conns["t0"].Read(make([]byte, 1)); err == nil {
		t.Errorf("connection to the unhealthy target still open")
	}
	if _, err := conns["t1"].Write([]byte("x")); err != nil {
		t.Fatalf("write to healthy target: %v", err)
	}
	buf := make([]byte, 1)
	if _, err := io.ReadFull(conns["t1"], buf); err != nil || buf[0] != 'x' {
		t.Errorf("echo via healthy target: %q %v", buf, err)
	}
	for range 4 {
		id, conn := greet(t, lb)
		if id != "t1" {
			t.Errorf("new connection went to %q, want t1", id)
		}
		if conn != nil {
			conn.Close()
		}
	}
}

func TestCloseStopsEverythingAndKeepsCA(t *testing.T) {
	dir := t.TempDir()
	lb, err := Start(Config{SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", ALPNPolicy: "HTTP2Only",
		HealthCheck: fastCheck(), CADir: dir}, []Target{{ID: "a", Addr: "127.0.0.1:1", HealthAddr: "127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(lb.CAFile()); err != nil {
		t.Errorf("ca file: %v", err)
	}
	if err := lb.Close(); err != nil {
		t.Fatal(err)
	}
	if err := lb.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if err := lb.Register(Target{ID: "b", Addr: "x:1", HealthAddr: "x:1"}); err == nil {
		t.Errorf("register after close succeeded")
	}
}
