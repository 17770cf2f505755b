package rehearsal

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/internal/logtail"
	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/internal/procgroup"
)

// process is one container's main process: its own process group, output to
// a log file, killed if the rehearsal process dies.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	waitErr error // valid once exited is closed

	stopOnce sync.Once
	stopErr  error
}

func startProcess(name, binary string, args []string, env Env, dir, logPath string) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("rehearsal: %s: open log: %w", name, err)
	}
	defer logFile.Close() // the child holds its own descriptor
	cmd := exec.Command(binary, args...)
	cmd.Env = env.Strings() // exactly the container's environment, nothing inherited
	cmd.Dir = dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("rehearsal: %s: start %s: %w", name, binary, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// Pid is the process id (also its process group id).
func (p *process) Pid() int { return p.cmd.Process.Pid }

// running reports whether the process has not exited yet.
func (p *process) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// kill sends SIGKILL to the process group: a crashed task.
func (p *process) kill() { procgroup.Kill(p.Pid(), p.exited) }

// stop is what ECS does on task stop: SIGTERM, then SIGKILL after timeout.
func (p *process) stop(timeout time.Duration) error {
	p.stopOnce.Do(func() {
		if !p.running() {
			return
		}
		if err := syscall.Kill(-p.Pid(), syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
			p.stopErr = fmt.Errorf("rehearsal: %s: SIGTERM: %w", p.name, err)
		}
		if procgroup.WaitOrKill(p.Pid(), p.exited, timeout) {
			p.stopErr = fmt.Errorf("rehearsal: %s: still running %s after SIGTERM, killed", p.name, timeout)
		}
	})
	return p.stopErr
}

// tail returns the last n lines of the process log, redacted.
func (p *process) tail(n int, red *redactor) string {
	return red.redact(logtail.Lines(p.logPath, n))
}
