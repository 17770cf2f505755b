package rehearsal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
}

// String keeps the key out of anything that formats an Endpoint.
func (e Endpoint) String() string {
	return fmt.Sprintf("%s (CA %s, preshared key %s)", e.Addr, e.CAFile, mask)
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

	if !r.opts.SkipMigration {
		if _, err := r.Migrate(ctx); err != nil {
			return err
		}
	}
	var targets []nlb.Target
	for i := range r.opts.Replicas {
		rep, err := r.startReplica(i)
		if err != nil {
			return err
		}
		r.replicas = append(r.replicas, rep)
		targets = append(targets, rep.target)
	}
	lbDir := filepath.Join(r.dir, "nlb")
	if err := os.Mkdir(lbDir, 0o755); err != nil {
		return fmt.Errorf("rehearsal: %w", err)
	}
	r.lb, err = nlb.Start(nlb.Config{
		SSLPolicy:   r.plan.Listener.SslPolicy,
		ALPNPolicy:  r.plan.Listener.AlpnPolicy,
		HealthCheck: r.HealthCheck(),
		FailOpen:    r.opts.FailOpen,
		CADir:       lbDir,
		Logf:        r.opts.Logf,
	}, targets)
	if err != nil {
		return fmt.Errorf("rehearsal: %w", err)
	}
	r.endpoint = Endpoint{Addr: r.lb.Addr(), CAFile: r.lb.CAFile(), PresharedKey: key}
	r.opts.Logf("rehearsal: NLB on %s (declared port %d), %d targets", r.lb.Addr(), r.plan.Listener.Port, len(targets))
	if r.opts.SkipMigration {
		return nil
	}
	waitCtx, cancel := context.WithTimeout(ctx, r.HealthyWindow()+r.opts.ReadySlack)
	defer cancel()
	return r.WaitHealthy(waitCtx)
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
		if r.lb != nil {
			errs = append(errs, r.lb.Close())
		}
		var wg sync.WaitGroup
		replicaErrs := make([]error, len(r.replicas))
		for i, rep := range r.replicas {
			wg.Go(func() { replicaErrs[i] = rep.stop() })
		}
		wg.Wait()
		errs = append(errs, replicaErrs...)
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
