package rehearsal

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"github.com/authzed/authzed-go/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/internal/freeport"
	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/nlb"
)

// TestRehearsalDev walks the dev stack's rendering through its life at the
// declared health check timings: serve tasks start before the migration (no
// traffic), the migration runs (twice), targets turn healthy in the declared
// window, the vendor post's flow works through the NLB, a wrong key is
// refused, ALPN None breaks clients, and a crashed task is taken out of
// service within the declared window. The subtests share the deployment and
// run in order. Two replicas although dev deploys one: the crash case needs
// a survivor.
func TestRehearsalDev(t *testing.T) {
	requireTools(t)
	plan := devPlan(t)
	ctx, cancel := withTimeout(3 * time.Minute)
	defer cancel()

	r, err := Start(ctx, plan, Options{Replicas: 2, SkipMigration: true, Logf: leakCheckingLogf(t, plan)})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	defer stopCleanly(t, r)
	assertEndpointKey(t, r, plan)

	t.Run("before migration: healthz 503 and no traffic", func(t *testing.T) {
		testBeforeMigration(t, r)
	})
	if t.Failed() {
		return
	}
	t.Run("migration succeeds, repeats, and targets turn healthy in the declared window", func(t *testing.T) {
		testMigrationThenHealthy(t, r)
	})
	if t.Failed() {
		return
	}
	t.Run("vendor post flow through the NLB", func(t *testing.T) {
		ctx, cancel := withTimeout(30 * time.Second)
		defer cancel()
		postFlowClient(ctx, t, r).Close()
	})
	t.Run("wrong preshared key is rejected and writes nothing", func(t *testing.T) {
		testWrongKey(t, r)
	})
	t.Run("ALPN None breaks grpc-go clients, HTTP2Only works", func(t *testing.T) {
		testALPN(t, r, plan.Listener)
	})
	t.Run("a crashed task leaves service within the declared window", func(t *testing.T) {
		testKillOneReplica(t, r, 0)
	})
	t.Run("no secret in any task or database log", func(t *testing.T) {
		assertLogsFreeOfSecrets(t, plan, r.WorkDir(), r.Postgres().LogPath())
	})
}

// TestRehearsalProd runs the prod stack's rendering (larger tasks: other
// memory limits) through the default path: Start migrates first and returns
// only when every target is healthy at the declared timings; the migration
// is repeated (idempotent) and the post's flow runs through the NLB. The
// windows themselves are asserted in TestRehearsalDev, as prod declares the
// same health check.
func TestRehearsalProd(t *testing.T) {
	requireTools(t)
	plan := stackPlan(t, "prod")
	dev := devPlan(t)
	if plan.TargetGroup != dev.TargetGroup || plan.Listener != dev.Listener {
		t.Errorf("prod's listener or target group differs from dev's; assert its windows too")
	}
	if envValue(t, plan.Serve, "GOMEMLIMIT") == envValue(t, dev.Serve, "GOMEMLIMIT") {
		t.Errorf("prod renders the same memory limit as dev; this test would prove nothing new")
	}
	ctx, cancel := withTimeout(2 * time.Minute)
	defer cancel()
	started := time.Now()
	r, err := Start(ctx, plan, Options{Replicas: 2, Logf: leakCheckingLogf(t, plan)})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	defer stopCleanly(t, r)
	t.Logf("migrated and all %d targets healthy after %s (declared healthy window %s)",
		len(r.Replicas()), time.Since(started).Round(100*time.Millisecond), r.HealthyWindow())
	assertEndpointKey(t, r, plan)
	for _, rep := range r.Replicas() {
		if limit, _ := rep.container.Env.Get("GOMEMLIMIT"); limit != envValue(t, plan.Serve, "GOMEMLIMIT") {
			t.Errorf("%s runs with GOMEMLIMIT=%s, not the rendered value", rep.Name, limit)
		}
	}
	if _, err := r.Migrate(ctx); err != nil {
		t.Fatalf("second migration (must be idempotent): %v", err)
	}
	c := postFlowClient(ctx, t, r)
	defer c.Close()
	assertLogsFreeOfSecrets(t, plan, r.WorkDir(), r.Postgres().LogPath())
}

// assertEndpointKey: clients get the rendered preshared key, and the key
// file holds it, readable by the owner only.
func assertEndpointKey(t *testing.T, r *Rehearsal, plan Plan) {
	t.Helper()
	ep := r.Endpoint()
	if ep.PresharedKey != plan.SecretValues[secretARN(t, plan.Serve, "SPICEDB_GRPC_PRESHARED_KEY")] {
		t.Fatalf("endpoint key is not the plan's preshared key")
	}
	info, err := os.Stat(ep.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 || filepath.Dir(ep.KeyFile) != r.WorkDir() {
		t.Errorf("key file %s has mode %v, want 0600 inside the work dir", ep.KeyFile, info.Mode().Perm())
	}
	if b, err := os.ReadFile(ep.KeyFile); err != nil || string(b) != ep.PresharedKey {
		t.Errorf("key file does not hold the key (%v)", err)
	}
}

// TestStartMigratesAndWaitsUntilReady runs the other health check shape
// against a real task: TCP on the traffic port. The program renders HTTP
// /healthz checks only, so the dev rendering is edited for it. Timings are
// scaled down (TimeScale) since no window is asserted.
func TestStartMigratesAndWaitsUntilReady(t *testing.T) {
	requireTools(t)
	plan := devPlan(t)
	plan.TargetGroup.HealthCheck.Port = "traffic-port"
	plan.TargetGroup.HealthCheck.Protocol = "TCP"
	ctx, cancel := withTimeout(time.Minute)
	defer cancel()
	workDir := t.TempDir()
	r, err := Start(ctx, plan, Options{Replicas: 1, TimeScale: 0.2, WorkDir: workDir, Logf: leakCheckingLogf(t, plan)})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	defer func() {
		stopCleanly(t, r)
		if entries, _ := os.ReadDir(workDir); len(entries) != 0 {
			t.Errorf("Stop left %d entries in the work dir", len(entries))
		}
	}()
	if got := r.HealthCheck().Interval; got != 2*time.Second {
		t.Errorf("scaled interval %s, want 2s (0.2 × 10 s)", got)
	}
	for _, h := range r.LB().Health() {
		if h.State != nlb.StateHealthy {
			t.Errorf("Start returned with target %s %s", h.ID, h.State)
		}
	}
	c := postFlowClient(ctx, t, r)
	defer c.Close()
}

// TestStartFailsCleanly: a plan the emulator cannot run is refused before
// anything starts, and a failure after PostgreSQL started leaves nothing.
// The program renders none of these faults, so the dev rendering is edited.
func TestStartFailsCleanly(t *testing.T) {
	requireTools(t)
	cases := []struct {
		name   string
		mutate func(*Plan)
		want   string
	}{
		{"legacy ssl policy", func(p *Plan) { p.Listener.SslPolicy = "ELBSecurityPolicy-2016-08" }, "not emulated"},
		{"health check port not in the container", func(p *Plan) { p.TargetGroup.HealthCheck.Port = "8080" }, "health check port 8080"},
		{"migration fails", func(p *Plan) {
			p.Migrate.Command = []string{"datastore", "migrate", "no-such-revision"}
		}, "exited with code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan := devPlan(t)
			c.mutate(&plan)
			workDir := t.TempDir()
			ctx, cancel := withTimeout(time.Minute)
			defer cancel()
			r, err := Start(ctx, plan, Options{WorkDir: workDir, Logf: leakCheckingLogf(t, plan)})
			if err == nil {
				r.Stop()
				t.Fatalf("Start succeeded")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want containing %q", err, c.want)
			}
			if entries, _ := os.ReadDir(workDir); len(entries) != 0 {
				t.Errorf("failed Start left %d entries in the work dir", len(entries))
			}
		})
	}
}

func testBeforeMigration(t *testing.T, r *Rehearsal) {
	c, err := Dial(r.Endpoint(), r.Endpoint().PresharedKey)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Observe until every target has been judged (unhealthy threshold ×
	// interval), probing /healthz and the NLB meanwhile.
	ctx, cancel := withTimeout(r.UnhealthyWindow() + r.HealthCheck().Interval + 10*time.Second)
	defer cancel()
	judged := make(chan error, 1)
	go func() { judged <- r.LB().WaitAll(ctx, nlb.StateUnhealthy) }()
	attempts := 0
	for done := false; !done; {
		select {
		case err := <-judged:
			if err != nil {
				t.Fatal(err)
			}
			done = true
		case <-time.After(time.Second):
		}
		for _, rep := range r.Replicas() {
			code, err := healthzStatus(rep)
			if err == nil && code != 503 {
				t.Errorf("%s /healthz = %d before migration, want 503", rep.Name, code)
			}
			// Before the HTTP server is up the request fails; that is also "not healthy".
		}
		rpcCtx, rpcCancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := c.ReadSchema(rpcCtx, &v1.ReadSchemaRequest{})
		rpcCancel()
		attempts++
		if status.Code(err) != codes.Unavailable {
			t.Errorf("RPC through the NLB before migration: %v, want Unavailable (connection closed)", err)
		}
	}
	for _, rep := range r.Replicas() {
		if code, err := healthzStatus(rep); err != nil || code != 503 {
			t.Errorf("%s /healthz = %d, %v once judged, want 503", rep.Name, code, err)
		}
	}
	for _, h := range r.LB().Health() {
		if h.Routed != 0 {
			t.Errorf("target %s got %d connections before migration", h.ID, h.Routed)
		}
		t.Logf("target %s: %s after %d checks (%s)", h.ID, h.State, h.Checks, h.LastError)
	}
	if r.LB().Rejected() == 0 {
		t.Errorf("the NLB rejected no connection although %d RPCs were attempted", attempts)
	}
}

func testMigrationThenHealthy(t *testing.T, r *Rehearsal) {
	ctx, cancel := withTimeout(2 * time.Minute)
	defer cancel()
	out, err := r.Migrate(ctx)
	if err != nil {
		t.Fatalf("migration: %v", err)
	}
	migrated := time.Now()
	if !strings.Contains(out, "migrating datastore") {
		t.Errorf("migration output lacks its progress line:\n%s", out)
	}
	if _, err := r.Migrate(ctx); err != nil {
		t.Fatalf("second migration (must be idempotent): %v", err)
	}
	// A task polls its datastore before reporting SERVING; allow one
	// interval for that on top of the declared healthy window.
	window := r.HealthyWindow() + r.HealthCheck().Interval + 2*time.Second
	waitCtx, waitCancel := context.WithDeadline(ctx, migrated.Add(window))
	defer waitCancel()
	if err := r.WaitHealthy(waitCtx); err != nil {
		t.Fatalf("targets not healthy within %s of the migration: %v", window, err)
	}
	t.Logf("all targets healthy %s after the migration finished (declared window %s)",
		time.Since(migrated).Round(100*time.Millisecond), r.HealthyWindow())
	for _, rep := range r.Replicas() {
		if code, err := healthzStatus(rep); err != nil || code != 200 {
			t.Errorf("%s /healthz = %d, %v after migration, want 200", rep.Name, code, err)
		}
	}
}

func testWrongKey(t *testing.T, r *Rehearsal) {
	ctx, cancel := withTimeout(30 * time.Second)
	defer cancel()
	bad, err := Dial(r.Endpoint(), "not-the-key")
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	_, err = bad.WriteRelationships(ctx, &v1.WriteRelationshipsRequest{Updates: []*v1.RelationshipUpdate{
		touch(Relationship("post", "2", "reader", "user", "mallory")),
	}})
	assertAuthError(t, "write relationships", err)
	_, err = bad.WriteSchema(ctx, &v1.WriteSchemaRequest{Schema: "definition user {}"})
	assertAuthError(t, "write schema", err)
	_, err = bad.CheckPermission(ctx, &v1.CheckPermissionRequest{
		Resource: &v1.ObjectReference{ObjectType: "post", ObjectId: "1"}, Permission: "read",
		Subject: &v1.SubjectReference{Object: &v1.ObjectReference{ObjectType: "user", ObjectId: "lena"}},
	})
	assertAuthError(t, "check", err)

	good, err := Dial(r.Endpoint(), r.Endpoint().PresharedKey)
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	schema, err := good.ReadSchema(ctx, &v1.ReadSchemaRequest{})
	if err != nil {
		t.Fatalf("read schema: %v", err)
	}
	if !strings.Contains(schema.GetSchemaText(), "definition post") {
		t.Errorf("schema was replaced by the rejected write:\n%s", schema.GetSchemaText())
	}
	subjects, err := LookupSubjects(ctx, good, "post", "2", "read", "user")
	if err != nil {
		t.Fatal(err)
	}
	if len(subjects) != 0 {
		t.Errorf("rejected write landed: post:2 readers %v", subjects)
	}
}

func assertAuthError(t *testing.T, what string, err error) {
	t.Helper()
	if c := status.Code(err); c != codes.Unauthenticated && c != codes.PermissionDenied {
		t.Errorf("%s with a wrong key: %v, want Unauthenticated or PermissionDenied", what, err)
	}
}

// testALPN overrides the rendered listener's ALPN policy: a second listener,
// identical but for ALPN None, in front of the same (healthy) tasks fails
// grpc-go clients; the rendered HTTP2Only listener serves them.
func testALPN(t *testing.T, r *Rehearsal, rendered ListenerSpec) {
	if rendered.AlpnPolicy != "HTTP2Only" {
		t.Fatalf("the program renders ALPN policy %q, want HTTP2Only", rendered.AlpnPolicy)
	}
	none := rendered
	none.AlpnPolicy = "None"
	ep, err := r.StartListener(none)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := withTimeout(30 * time.Second)
	defer cancel()

	c, err := Dial(ep, ep.PresharedKey)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = Check(ctx, c, "post", "1", "read", "user", "lena")
	if err == nil || !strings.Contains(err.Error(), "missing selected ALPN property") {
		t.Errorf("ALPN None: err = %v, want the grpc-go ALPN refusal", err)
	}

	ok, err := Dial(r.Endpoint(), r.Endpoint().PresharedKey)
	if err != nil {
		t.Fatal(err)
	}
	defer ok.Close()
	if got, err := Check(ctx, ok, "post", "1", "read", "user", "lena"); err != nil || got != v1.CheckPermissionResponse_PERMISSIONSHIP_HAS_PERMISSION {
		t.Errorf("HTTP2Only: %v %v", got, err)
	}
}

// testKillOneReplica crashes one task while clients check permissions in a
// loop. After unhealthy threshold × interval (plus extra, for dispatch) no
// check may fail.
func testKillOneReplica(t *testing.T, r *Rehearsal, extra time.Duration) {
	// Several clients = several NLB connections, spread round-robin over the
	// targets, so some are certainly on the task we kill.
	const nClients = 4
	// Reconnect quickly: client backoff would otherwise blur the NLB's window.
	const maxBackoff = time.Second
	var clients []*authzed.Client
	for range nClients {
		c, err := Dial(r.Endpoint(), r.Endpoint().PresharedKey, grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: maxBackoff},
			MinConnectTimeout: 2 * time.Second,
		}))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients = append(clients, c)
	}

	victim := r.Replicas()[0]
	window := r.UnhealthyWindow()
	// Tolerance after the window: the last failing health check may finish
	// just after it, and a client may sit out one reconnect backoff.
	settle := window + maxBackoff + time.Second + extra
	loopFor := settle + 2*r.HealthCheck().Interval
	const warmUp = 2 * time.Second

	type result struct {
		at  time.Time
		err error
	}
	var results []result
	var killedAt time.Time
	var lookupsAtKill int64
	start := time.Now()
	for time.Since(start) < warmUp+loopFor {
		if killedAt.IsZero() && time.Since(start) >= warmUp {
			for _, h := range r.LB().Health() {
				if h.ID == victim.Name && h.Open == 0 {
					t.Fatalf("no client connection is on %s; the kill would prove nothing", victim.Name)
				}
			}
			victim.Kill()
			killedAt = time.Now()
			lookupsAtKill = r.DispatchLookups()
			t.Logf("killed %s", victim.Name)
		}
		for _, c := range clients {
			ctx, cancel := withTimeout(2 * time.Second)
			got, err := Check(ctx, c, "post", "1", "read", "user", "lena")
			cancel()
			if err == nil && got != v1.CheckPermissionResponse_PERMISSIONSHIP_HAS_PERMISSION {
				err = &wrongAnswer{got}
			}
			results = append(results, result{time.Now(), err})
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Failures inside the window are expected but not guaranteed: a cut
	// connection only fails a check if the client's reconnect is routed to
	// the dead task (every other new connection, until it is unhealthy).
	var beforeKill, inWindow, afterWindow int
	var lastFailure time.Duration
	for _, res := range results {
		if res.err == nil {
			continue
		}
		switch {
		case res.at.Before(killedAt):
			beforeKill++
		case res.at.Before(killedAt.Add(settle)):
			inWindow++
			lastFailure = res.at.Sub(killedAt)
			t.Logf("in the window, +%s: %v", lastFailure.Round(time.Millisecond), res.err)
		default:
			afterWindow++
			t.Errorf("check failed %s after the kill (window %s + tolerance): %v",
				res.at.Sub(killedAt).Round(time.Millisecond), window, res.err)
		}
	}
	t.Logf("%d checks over %d connections; failed: %d before the kill, %d within %s of it (last at +%s; unhealthy threshold × interval = %s), %d after",
		len(results), nClients, beforeKill, inWindow, settle, lastFailure.Round(time.Millisecond), window, afterWindow)
	// Checks routed to a survivor still fail while its dispatcher keeps the
	// dead peer on its hashring; it only drops it when it looks the peers
	// up again (gRPC re-resolves DNS at most every 30 s).
	t.Logf("dispatch peer lookups after the kill: %d", r.DispatchLookups()-lookupsAtKill)
	if beforeKill > 0 {
		t.Errorf("%d checks failed before any task was killed", beforeKill)
	}
	states := map[string]nlb.State{}
	for _, h := range r.LB().Health() {
		states[h.ID] = h.State
	}
	if states[victim.Name] != nlb.StateUnhealthy {
		t.Errorf("killed target is %s, want unhealthy", states[victim.Name])
	}
	for _, rep := range r.Replicas()[1:] {
		if states[rep.Name] != nlb.StateHealthy {
			t.Errorf("surviving target %s is %s, want healthy", rep.Name, states[rep.Name])
		}
	}
}

type wrongAnswer struct {
	got v1.CheckPermissionResponse_Permissionship
}

func (w *wrongAnswer) Error() string { return "wrong answer " + w.got.String() }

// TestMigrationFailsOnUnreachableDatastore runs the migration container
// against a port nothing listens on: it must exit non-zero, and say why.
func TestMigrationFailsOnUnreachableDatastore(t *testing.T) {
	requireTools(t)
	plan := devPlan(t)
	bin, err := FindSpiceDB()
	if err != nil {
		t.Fatal(err)
	}
	port, err := freeport.Get()
	if err != nil {
		t.Fatal(err)
	}
	c, err := PrepareContainer(plan.Migrate, plan.SecretValues, "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := withTimeout(60 * time.Second)
	defer cancel()
	out, err := RunToCompletion(ctx, bin, c, dir, dir+"/migrate.log")
	if err == nil {
		t.Fatalf("migration against an unreachable datastore succeeded:\n%s", out)
	}
	t.Logf("error: %v", err)
	if !strings.Contains(err.Error(), "exited with code") {
		t.Errorf("error does not report the exit code: %v", err)
	}
	if !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(port)) {
		t.Errorf("error lacks the useful log line (address, connection refused): %v", err)
	}
	for _, s := range secretsOf(plan) {
		if strings.Contains(err.Error(), s) || strings.Contains(out, s) {
			t.Errorf("a secret leaked into the migration output or error")
		}
	}
}
