// Package procgroup ends the rehearsal's child processes, each the leader of
// its own process group (Setpgid), so that whatever a child spawned ends with
// it.
package procgroup

import (
	"syscall"
	"time"
)

// Kill sends SIGKILL to the process group that pgid leads and waits until
// exited is closed, i.e. until the leader has been reaped.
func Kill(pgid int, exited <-chan struct{}) {
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-exited
}

// WaitOrKill gives a process that was asked to stop up to timeout to exit,
// then kills its group. It reports whether it had to kill.
func WaitOrKill(pgid int, exited <-chan struct{}, timeout time.Duration) (killed bool) {
	select {
	case <-exited:
		return false
	case <-time.After(timeout):
		Kill(pgid, exited)
		return true
	}
}
