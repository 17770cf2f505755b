package rehearsal

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/nlb"
	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/pg"
)

// Options tune a rehearsal. The zero value runs two replicas with the
// repository's bin/spicedb, migrates first and uses the plan's timings.
type Options struct {
	// Replicas is the number of serve tasks. Default 2.
	Replicas int
	// SpiceDBBinary runs every container (the image's entrypoint). Default FindSpiceDB().
	SpiceDBBinary string
	// WorkDir is where the run's temporary directory (logs, CA) is created.
	// Default os.TempDir(). PostgreSQL's data directory always goes under
	// os.TempDir(), which the os user postgres can reach when we are root.
	WorkDir string
	// SkipMigration starts the serve tasks against an empty database; call
	// Migrate later. Start then does not wait for healthy targets.
	SkipMigration bool
	// TimeScale multiplies the health check interval and timeout (e.g. 0.2
	// for quicker local loops). Default 1: the plan's timings as declared.
	TimeScale float64
	// FailOpen makes the NLB route to unhealthy targets when none is
	// healthy, as a real NLB does. Default off; see package nlb.
	FailOpen bool
	// ReadySlack is added to the declared healthy window (healthy threshold
	// × interval) when Start waits for all targets. Default 60s.
	ReadySlack time.Duration
	// Logf receives progress lines (secrets masked). Optional.
	Logf func(format string, args ...any)
}

func (o Options) withDefaults() (Options, error) {
	if o.Replicas == 0 {
		o.Replicas = 2
	}
	if o.Replicas < 1 {
		return o, fmt.Errorf("rehearsal: replicas %d must be positive", o.Replicas)
	}
	if o.SpiceDBBinary == "" {
		bin, err := FindSpiceDB()
		if err != nil {
			return o, err
		}
		o.SpiceDBBinary = bin
	} else if _, err := checkBinary(o.SpiceDBBinary); err != nil {
		return o, err
	}
	// Containers run in their own directories: a relative path would not resolve there.
	bin, err := filepath.Abs(o.SpiceDBBinary)
	if err != nil {
		return o, fmt.Errorf("rehearsal: spicedb binary: %w", err)
	}
	o.SpiceDBBinary = bin
	if o.WorkDir == "" {
		o.WorkDir = os.TempDir()
	}
	if o.TimeScale == 0 {
		o.TimeScale = 1
	}
	if o.TimeScale < 0 {
		return o, fmt.Errorf("rehearsal: time scale %v must be positive", o.TimeScale)
	}
	if o.ReadySlack == 0 {
		o.ReadySlack = 60 * time.Second
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return o, nil
}

// Endpoint is what a client needs to reach the rehearsed service.
type Endpoint struct {
	Addr         string // host:port of the NLB listener
	CAFile       string // PEM of the test CA that signed the listener certificate
	PresharedKey string // first key of SPICEDB_GRPC_PRESHARED_KEY (the plan's secret)
	// KeyFile holds PresharedKey (mode 0600, in the work dir, removed by
	// Stop), so people and tools can use the key without it being printed.
	KeyFile string
}

// String keeps the key out of anything that formats an Endpoint.
func (e Endpoint) String() string {
	return fmt.Sprintf("%s (CA %s, preshared key %s in %s)", e.Addr, e.CAFile, mask, e.KeyFile)
}

// GoString covers %#v as well.
func (e Endpoint) GoString() string { return e.String() }

// Rehearsal is a running deployment: PostgreSQL, serve replicas, NLB. Its
// methods are not safe for concurrent use.
type Rehearsal struct {
	plan     Plan
	opts     Options
	dir      string
	pg       *pg.Server
	lb       *nlb.LB
	replicas []*Replica
	extraLBs []*nlb.LB     // listeners added with StartListener
	dns      *discoveryDNS // stands in for Cloud Map when the tasks dispatch to each other
	red      *redactor
	endpoint Endpoint
	migrate  *Container
	runs     int // migration runs so far, for log names

	stopOnce sync.Once
	stopErr  error
}

// Start brings the plan up: PostgreSQL with the plan's role and database,
// the migration task (unless SkipMigration), the serve tasks and the NLB.
// Unless SkipMigration it waits until every target is healthy. On error
// everything already started is stopped.
func Start(ctx context.Context, plan Plan, opts Options) (*Rehearsal, error) {
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(opts.WorkDir, "rehearsal-")
	if err != nil {
		return nil, fmt.Errorf("rehearsal: work dir: %w", err)
	}
	r := &Rehearsal{plan: plan, opts: opts, dir: dir, red: &redactor{}}
	// Every line handed to Logf is masked, whoever wrote it (the NLB
	// emulator included); the plan's values are known before anything runs,
	// the URI passwords are added as the containers are prepared.
	r.red.add(slices.Collect(maps.Values(plan.SecretValues))...)
	logf := opts.Logf
	r.opts.Logf = func(format string, args ...any) { logf("%s", r.red.redact(fmt.Sprintf(format, args...))) }
	if err := r.start(ctx); err != nil {
		if stopErr := r.Stop(); stopErr != nil {
			err = errors.Join(err, stopErr)
		}
		return nil, err
	}
	return r, nil
}

func (r *Rehearsal) start(ctx context.Context) error {
	var err error
	if r.pg, err = pg.Start(ctx, pg.Options{}); err != nil {
		return fmt.Errorf("rehearsal: %w", err)
	}
	r.opts.Logf("rehearsal: postgres on %s", r.pg.Addr())

	if r.migrate, err = PrepareContainer(r.plan.Migrate, r.plan.SecretValues, r.pg.Addr()); err != nil {
		return err
	}
	r.red.add(r.migrate.red.secrets...)
	serveTemplate, err := PrepareContainer(r.plan.Serve, r.plan.SecretValues, r.pg.Addr())
	if err != nil {
		return err
	}
	r.red.add(serveTemplate.red.secrets...)
	if err := r.createLogins(ctx, append(r.migrate.Logins, serveTemplate.Logins...)); err != nil {
		return err
	}
	key, ok := serveTemplate.Env.Get("SPICEDB_GRPC_PRESHARED_KEY")
	if !ok || key == "" {
		return errors.New("rehearsal: serve container sets no SPICEDB_GRPC_PRESHARED_KEY")
	}
	// The flag is a comma-separated list; clients use the first key.
	key, _, _ = strings.Cut(key, ",")
	keyFile := filepath.Join(r.dir, "preshared-key")
	if err := os.WriteFile(keyFile, []byte(key), 0o600); err != nil {
		return fmt.Errorf("rehearsal: write key file: %w", err)
	}

	if !r.opts.SkipMigration {
		if _, err := r.Migrate(ctx); err != nil {
			return err
		}
	}
	listeners, err := taskListeners(r.plan.Serve, serveTemplate.Env)
	if err != nil {
		return err
	}
	dispatch, err := parseDispatch(serveTemplate.Env)
	if err != nil {
		return err
	}
	if dispatch != nil {
		if r.dns, err = startDiscoveryDNS(dispatch.Name); err != nil {
			return err
		}
		r.opts.Logf("rehearsal: discovery DNS for %s on %s", dispatch.Name, r.dns.Addr())
	}
	ips, err := pickTaskIPs(r.opts.Replicas, listenerPorts(listeners))
	if err != nil {
		return err
	}
	for i, ip := range ips {
		rep, err := r.startReplica(i, ip, listeners, dispatch)
		if rep != nil {
			r.replicas = append(r.replicas, rep)
		}
		if err != nil {
			return err
		}
	}
	if r.lb, err = r.newListener("nlb", r.plan.Listener); err != nil {
		return err
	}
	r.endpoint = Endpoint{Addr: r.lb.Addr(), CAFile: r.lb.CAFile(), PresharedKey: key, KeyFile: keyFile}
	r.opts.Logf("rehearsal: NLB on %s (declared port %d), %d targets", r.lb.Addr(), r.plan.Listener.Port, len(r.replicas))
	if r.opts.SkipMigration {
		return nil
	}
	waitCtx, cancel := context.WithTimeout(ctx, r.HealthyWindow()+r.opts.ReadySlack)
	defer cancel()
	return r.WaitHealthy(waitCtx)
}

// newListener starts an emulated NLB listener for spec in front of every
// replica, with the plan's target group health check. Its CA goes to
// <work dir>/<name>/ca.pem.
func (r *Rehearsal) newListener(name string, spec ListenerSpec) (*nlb.LB, error) {
	if err := nlb.CheckListener(spec.SslPolicy, spec.AlpnPolicy); err != nil {
		return nil, fmt.Errorf("rehearsal: listener: %w", err)
	}
	dir := filepath.Join(r.dir, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("rehearsal: %w", err)
	}
	targets := make([]nlb.Target, 0, len(r.replicas))
	for _, rep := range r.replicas {
		targets = append(targets, rep.target)
	}
	lb, err := nlb.Start(nlb.Config{
		SSLPolicy:   spec.SslPolicy,
		ALPNPolicy:  spec.AlpnPolicy,
		HealthCheck: r.HealthCheck(),
		FailOpen:    r.opts.FailOpen,
		CADir:       dir,
		Logf:        r.opts.Logf,
	}, targets)
	if err != nil {
		return nil, fmt.Errorf("rehearsal: %w", err)
	}
	return lb, nil
}

// StartListener adds another listener in front of the same tasks, such as
// the plan's listener with one setting changed, to show what that setting
// does without a second deployment. Its endpoint shares the key; Stop
// closes it.
func (r *Rehearsal) StartListener(spec ListenerSpec) (Endpoint, error) {
	lb, err := r.newListener("nlb-"+strconv.Itoa(len(r.extraLBs)+1), spec)
	if err != nil {
		return Endpoint{}, err
	}
	r.extraLBs = append(r.extraLBs, lb)
	ep := r.endpoint
	ep.Addr, ep.CAFile = lb.Addr(), lb.CAFile()
	r.opts.Logf("rehearsal: extra listener on %s (ssl policy %s, alpn policy %q)", lb.Addr(), spec.SslPolicy, spec.AlpnPolicy)
	return ep, nil
}

// createLogins creates each distinct role/database the URIs log into.
func (r *Rehearsal) createLogins(ctx context.Context, logins []DatastoreLogin) error {
	passwords := map[string]string{}
	for _, l := range logins {
		if prev, ok := passwords[l.User]; ok && prev != l.Password {
			return fmt.Errorf("rehearsal: datastore role %q is used with two different passwords", l.User)
		}
		passwords[l.User] = l.Password
		if err := r.pg.EnsureRoleAndDatabase(ctx, l.User, l.Password, l.Database); err != nil {
			return fmt.Errorf("rehearsal: %w", err)
		}
	}
	return nil
}

// Migrate runs the migration task once more and returns its redacted
// output. It fails on a non-zero exit.
func (r *Rehearsal) Migrate(ctx context.Context) (string, error) {
	r.runs++
	r.opts.Logf("rehearsal: migration run %d: %s", r.runs, r.migrate.describe())
	start := time.Now()
	out, err := RunToCompletion(ctx, r.opts.SpiceDBBinary, r.migrate, r.dir, r.migrate.logPath(r.dir, "-"+strconv.Itoa(r.runs)))
	if err != nil {
		return out, err
	}
	r.opts.Logf("rehearsal: migration run %d succeeded in %s", r.runs, time.Since(start).Round(time.Millisecond))
	return out, nil
}

// HealthCheck is the target group health check as the emulator runs it
// (plan timings × TimeScale).
func (r *Rehearsal) HealthCheck() nlb.HealthCheck {
	hc := r.plan.TargetGroup.HealthCheck
	scale := func(seconds int) time.Duration {
		return time.Duration(float64(seconds) * r.opts.TimeScale * float64(time.Second))
	}
	return nlb.HealthCheck{
		Protocol: hc.Protocol, Path: hc.Path, Matcher: hc.Matcher,
		Interval: scale(hc.IntervalSeconds), Timeout: scale(hc.TimeoutSeconds),
		HealthyThreshold: hc.HealthyThreshold, UnhealthyThreshold: hc.UnhealthyThreshold,
	}
}

// HealthyWindow is the declared time for a serving target to turn healthy:
// healthy threshold × interval (scaled).
func (r *Rehearsal) HealthyWindow() time.Duration {
	hc := r.HealthCheck()
	return time.Duration(hc.HealthyThreshold) * hc.Interval
}

// UnhealthyWindow is the declared time for a failed target to be taken out
// of service: unhealthy threshold × interval (scaled).
func (r *Rehearsal) UnhealthyWindow() time.Duration {
	hc := r.HealthCheck()
	return time.Duration(hc.UnhealthyThreshold) * hc.Interval
}

// WaitHealthy blocks until every target is healthy; on ctx expiry the error
// includes each replica's log tail (redacted).
func (r *Rehearsal) WaitHealthy(ctx context.Context) error {
	if err := r.lb.WaitAll(ctx, nlb.StateHealthy); err != nil {
		var b strings.Builder
		for _, rep := range r.replicas {
			fmt.Fprintf(&b, "\n--- %s (running=%v) ---\n%s", rep.Name, rep.Running(), rep.LogTail(15))
		}
		return fmt.Errorf("rehearsal: %w%s", err, b.String())
	}
	return nil
}

// DispatchLookups counts the tasks' queries for their dispatch peers (0
// when the plan does not dispatch between tasks).
func (r *Rehearsal) DispatchLookups() int64 {
	if r.dns == nil {
		return 0
	}
	return r.dns.Queries()
}

// Endpoint is where clients connect.
func (r *Rehearsal) Endpoint() Endpoint { return r.endpoint }

// LB is the emulated load balancer (target health, routing counters).
func (r *Rehearsal) LB() *nlb.LB { return r.lb }

// Postgres is the local stand-in for RDS.
func (r *Rehearsal) Postgres() *pg.Server { return r.pg }

// Replicas are the serve tasks in target registration order.
func (r *Rehearsal) Replicas() []*Replica { return r.replicas }

// Redact masks every secret of the plan in s.
func (r *Rehearsal) Redact(s string) string { return r.red.redact(s) }

// WorkDir is the run's temporary directory (removed by Stop).
func (r *Rehearsal) WorkDir() string { return r.dir }

// Stop stops the NLB, the serve tasks (SIGTERM, then SIGKILL after the
// container's stopTimeout), PostgreSQL, and removes the work directory.
// Safe to call more than once.
func (r *Rehearsal) Stop() error {
	r.stopOnce.Do(func() {
		var errs []error
		for _, lb := range append(r.extraLBs, r.lb) {
			if lb != nil {
				errs = append(errs, lb.Close())
			}
		}
		var wg sync.WaitGroup
		replicaErrs := make([]error, len(r.replicas))
		for i, rep := range r.replicas {
			wg.Go(func() { replicaErrs[i] = rep.stop() })
		}
		wg.Wait()
		errs = append(errs, replicaErrs...)
		if r.dns != nil {
			errs = append(errs, r.dns.close())
		}
		if r.pg != nil {
			errs = append(errs, r.pg.Stop())
		}
		if err := os.RemoveAll(r.dir); err != nil {
			errs = append(errs, fmt.Errorf("rehearsal: remove %s: %w", r.dir, err))
		}
		r.stopErr = errors.Join(errs...)
	})
	return r.stopErr
}
