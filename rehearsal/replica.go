package rehearsal

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
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

// startReplica launches serve task i on its own task IP and registers the
// target addresses the target group would use, and the task in discovery.
func (r *Rehearsal) startReplica(i int, ip string, listeners []taskListener, dispatch *dispatchTarget) (*Replica, error) {
	c, err := PrepareContainer(r.plan.Serve, r.plan.SecretValues, r.pg.Addr())
	if err != nil {
		return nil, err
	}
	bindToTaskIP(c.Env, listeners, ip)
	c.IP, c.Ports = ip, listenerPorts(listeners)
	if dispatch != nil {
		pointDispatchAt(c.Env, *dispatch, r.dns.Addr())
	}
	name := c.Name + "-" + strconv.Itoa(i)
	traffic, health, err := r.plan.TargetGroup.targetPorts(c.Ports)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(r.dir, name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("rehearsal: %w", err)
	}
	r.opts.Logf("rehearsal: start %s on %s: %s", name, ip, c.describe())
	proc, err := startProcess(name, r.opts.SpiceDBBinary, c.Args, c.Env, dir, filepath.Join(r.dir, name+".log"))
	if err != nil {
		return nil, err
	}
	stopAfter := ecsDefaultStopTimeout
	if st := r.plan.Serve.StopTimeout; st != nil {
		stopAfter = time.Duration(*st) * time.Second
	}
	rep := &Replica{
		Name:      name,
		container: c,
		proc:      proc,
		stopAfter: stopAfter,
		target: nlb.Target{
			ID:         name,
			Addr:       net.JoinHostPort(ip, strconv.Itoa(traffic)),
			HealthAddr: net.JoinHostPort(ip, strconv.Itoa(health)),
		},
	}
	if r.dns != nil {
		if err := r.dns.register(ip, rep.Running); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// Addr is the address of a container port on the replica's task IP.
func (rep *Replica) Addr(containerPort int) (string, bool) {
	if !slices.Contains(rep.container.Ports, containerPort) {
		return "", false
	}
	return net.JoinHostPort(rep.container.IP, strconv.Itoa(containerPort)), true
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
