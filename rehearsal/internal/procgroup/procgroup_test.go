package procgroup

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startGroup starts script under sh as the leader of a new process group.
// The script's first output line is returned (the tests print a child's pid).
func startGroup(t *testing.T, script string) (pgid int, exited chan struct{}, firstLine string) {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	exited = make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() { Kill(cmd.Process.Pid, exited) })
	return cmd.Process.Pid, exited, strings.TrimSpace(line)
}

// gone waits briefly for pid to end. A killed grandchild is reparented and
// may stay a zombie if nothing reaps it (as under a minimal init), so a
// zombie counts as gone.
func gone(pid int) bool {
	for range 100 {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if errors.Is(err, os.ErrNotExist) {
			return true
		}
		if i := strings.LastIndexByte(string(stat), ')'); err == nil && i >= 0 && strings.HasPrefix(string(stat[i+1:]), " Z") {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

func TestWaitOrKill(t *testing.T) {
	cases := []struct {
		name       string
		script     string
		wantKilled bool
	}{
		{"exits in time", "echo ready; exit 0", false},
		{"ignores the request", "trap '' TERM; sleep 30 & echo $!; wait", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pgid, exited, first := startGroup(t, c.script)
			_ = syscall.Kill(-pgid, syscall.SIGTERM)
			start := time.Now()
			if got := WaitOrKill(pgid, exited, 300*time.Millisecond); got != c.wantKilled {
				t.Fatalf("killed = %v, want %v", got, c.wantKilled)
			}
			select {
			case <-exited:
			default:
				t.Fatal("WaitOrKill returned before the leader exited")
			}
			if c.wantKilled {
				if took := time.Since(start); took < 300*time.Millisecond {
					t.Errorf("killed after %s, before the timeout", took)
				}
				child, err := strconv.Atoi(first)
				if err != nil {
					t.Fatalf("child pid %q: %v", first, err)
				}
				if !gone(child) {
					t.Errorf("child %d of the group survived the kill", child)
				}
			}
		})
	}
}

func TestKillEndsTheWholeGroup(t *testing.T) {
	pgid, exited, first := startGroup(t, "sleep 30 & echo $!; wait")
	child, err := strconv.Atoi(first)
	if err != nil {
		t.Fatalf("child pid %q: %v", first, err)
	}
	Kill(pgid, exited)
	select {
	case <-exited:
	default:
		t.Fatal("Kill returned before the leader exited")
	}
	if !gone(child) {
		t.Errorf("child %d of the group survived the kill", child)
	}
}
