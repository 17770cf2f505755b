package rehearsal

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/nlb"
)

// ecsDefaultStopTimeout is what ECS waits between SIGTERM and SIGKILL when
// the container sets no stopTimeout.
const ecsDefaultStopTimeout = 30 * time.Second

// Replica is one running serve task.
type Replica struct {
	Name      string
	container *Container
	proc      *process
	target    nlb.Target
	stopAfter time.Duration
}

// startReplica launches serve task i with its own ports and registers the
// target addresses the target group would use.
func (r *Rehearsal) startReplica(i int) (*Replica, error) {
	c, err := PrepareContainer(r.plan.Serve, r.plan.SecretValues, r.pg.Addr())
	if err != nil {
		return nil, err
	}
	if c.Ports, err = remapPorts(r.plan.Serve, c.Env); err != nil {
		return nil, err
	}
	name := c.Name + "-" + strconv.Itoa(i)
	traffic, health, err := r.plan.TargetGroup.localTargetPorts(c.Ports)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(r.dir, name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("rehearsal: %w", err)
	}
	r.opts.Logf("rehearsal: start %s (ports %v): %s", name, c.Ports, c.describe())
	proc, err := startProcess(name, r.opts.SpiceDBBinary, c.Args, c.Env, dir, filepath.Join(r.dir, name+".log"))
	if err != nil {
		return nil, err
	}
	stopAfter := ecsDefaultStopTimeout
	if st := r.plan.Serve.StopTimeout; st != nil {
		stopAfter = time.Duration(*st) * time.Second
	}
	return &Replica{
		Name:      name,
		container: c,
		proc:      proc,
		stopAfter: stopAfter,
		target: nlb.Target{
			ID:         name,
			Addr:       "127.0.0.1:" + strconv.Itoa(traffic),
			HealthAddr: "127.0.0.1:" + strconv.Itoa(health),
		},
	}, nil
}

// Addr is the local address of a container port (e.g. 8443 → 127.0.0.1:x).
func (rep *Replica) Addr(containerPort int) (string, bool) {
	p, ok := rep.container.Ports[containerPort]
	if !ok {
		return "", false
	}
	return "127.0.0.1:" + strconv.Itoa(p), true
}

// Pid is the replica's process id.
func (rep *Replica) Pid() int { return rep.proc.Pid() }

// Running reports whether the process is still alive.
func (rep *Replica) Running() bool { return rep.proc.running() }

// Kill crashes the replica (SIGKILL), as when a task dies unexpectedly.
func (rep *Replica) Kill() { rep.proc.kill() }

// LogTail returns the last n lines of the replica's output, redacted.
func (rep *Replica) LogTail(n int) string { return rep.proc.tail(n, rep.container.red) }

func (rep *Replica) stop() error { return rep.proc.stop(rep.stopAfter) }

// Target is how the replica is registered in the target group.
func (rep *Replica) Target() nlb.Target { return rep.target }
