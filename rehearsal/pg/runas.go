package pg

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// runAs is the operating-system identity the PostgreSQL tools run under: the
// "postgres" user when this process is root (PostgreSQL refuses root), this
// process's own identity otherwise.
type runAs struct {
	cred *syscall.Credential // nil: run as ourselves
}

func newRunAs() (runAs, error) {
	if os.Geteuid() != 0 {
		return runAs{}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return runAs{}, fmt.Errorf("pg: running as root needs the os user postgres (created by `sudo apt-get install postgresql`): %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return runAs{}, fmt.Errorf("pg: uid of postgres %q: %w", u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return runAs{}, fmt.Errorf("pg: gid of postgres %q: %w", u.Gid, err)
	}
	return runAs{cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}, nil
}

// command builds a command that runs as the chosen identity, in its own
// process group, killed if this process dies, with a minimal environment so
// that PG* variables of the caller cannot redirect it.
func (r runAs) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C", "LC_ALL=C"}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: r.cred,
		Setpgid:    true,
		Pdeathsig:  syscall.SIGKILL,
	}
	return cmd
}

// chownTree hands a directory tree to the chosen identity.
func (r runAs) chownTree(root string) error {
	if r.cred == nil {
		return nil
	}
	return filepath.Walk(root, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(path, int(r.cred.Uid), int(r.cred.Gid)); err != nil {
			return fmt.Errorf("pg: chown %s to postgres: %w", path, err)
		}
		return nil
	})
}
