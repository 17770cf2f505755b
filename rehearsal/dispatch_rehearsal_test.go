package rehearsal

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// grpcDNSReResolve is grpc-go's minimum interval between two resolutions of
// one name: a dispatcher drops a dead peer from its hashring no sooner.
const grpcDNSReResolve = 30 * time.Second

// TestRehearsalDispatch runs the dev rendering with spicedb.dispatch on:
// three tasks find each other under the rendered Cloud Map name (a local
// stand-in answers it with the tasks' own addresses), sub-problems really
// cross tasks, the post's flow answers correctly, and when a task dies the
// failures stop within the NLB's window plus gRPC's re-resolution interval —
// the measured price of dispatch on ECS, and why it is off by default.
func TestRehearsalDispatch(t *testing.T) {
	requireTools(t)
	plan := dispatchPlan(t)
	if envValue(t, plan.Serve, "SPICEDB_DISPATCH_UPSTREAM_ADDR") != "dns:///dispatch.spicedb.dev.internal:50053" {
		t.Fatalf("unexpected dispatch upstream %q", envValue(t, plan.Serve, "SPICEDB_DISPATCH_UPSTREAM_ADDR"))
	}
	ctx, cancel := withTimeout(3 * time.Minute)
	defer cancel()
	r, err := Start(ctx, plan, Options{Replicas: 3, Logf: leakCheckingLogf(t, plan)})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	defer stopCleanly(t, r)

	c := postFlowClient(ctx, t, r)
	defer c.Close()
	if r.DispatchLookups() == 0 {
		t.Fatal("no task looked up its dispatch peers under the rendered name")
	}
	// Checks on many resources spread their sub-problems over the ring.
	for i := range 60 {
		if _, err := Check(ctx, c, "post", strconv.Itoa(i), "read", "user", "lena"); err != nil {
			t.Fatalf("check post:%d: %v", i, err)
		}
	}
	served := 0
	for _, rep := range r.Replicas() {
		n := dispatchRequestsServed(t, rep)
		t.Logf("%s served %d dispatch requests from its peers", rep.Name, n)
		served += n
	}
	if served == 0 {
		t.Fatal("no task served a dispatch request: sub-problems never crossed tasks")
	}

	t.Run("a crashed task: failures stop within the NLB window plus gRPC re-resolution", func(t *testing.T) {
		testKillOneReplica(t, r, grpcDNSReResolve)
	})
}

var dispatchServed = regexp.MustCompile(`(?m)^grpc_server_handled_total\{[^}]*grpc_service="dispatch\.v1\.DispatchService"[^}]*\} (\d+)`)

// dispatchRequestsServed sums the dispatch RPCs a task's gRPC server handled,
// from its metrics endpoint.
func dispatchRequestsServed(t *testing.T, rep *Replica) int {
	t.Helper()
	addr, ok := rep.Addr(9090)
	if !ok {
		t.Fatalf("%s has no metrics port", rep.Name)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, m := range dispatchServed.FindAllStringSubmatch(string(body), -1) {
		n, _ := strconv.Atoi(m[1])
		total += n
	}
	return total
}
