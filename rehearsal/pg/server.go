package pg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/internal/freeport"
	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/internal/logtail"
	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/internal/procgroup"
)

// Options configure Start. The zero value is usable.
type Options struct {
	// BinDir holds initdb, postgres, pg_isready and psql. Default: FindBinDir.
	BinDir string
	// ParentDir is where the throwaway directory is created. When running as
	// root it must be traversable by the os user postgres. Default: os.TempDir().
	ParentDir string
	// StartTimeout bounds waiting for the server to accept connections. Default 30s.
	StartTimeout time.Duration
}

// Server is a running throwaway PostgreSQL.
type Server struct {
	binDir  string
	dir     string // everything we create lives under here
	sockDir string
	port    int
	runAs   runAs
	logPath string

	cmd      *exec.Cmd
	exited   chan struct{}
	stopOnce sync.Once
	stopErr  error
}

// Start initialises a fresh cluster and starts the server. The superuser is
// "postgres", reachable only over the Unix socket; TCP logins use scram
// passwords of roles created with EnsureRoleAndDatabase.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.BinDir == "" {
		dir, err := FindBinDir()
		if err != nil {
			return nil, err
		}
		opts.BinDir = dir
	} else if err := checkTools(opts.BinDir); err != nil {
		return nil, err
	}
	if opts.ParentDir == "" {
		opts.ParentDir = os.TempDir()
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 30 * time.Second
	}
	ra, err := newRunAs()
	if err != nil {
		return nil, err
	}
	port, err := freeport.Get()
	if err != nil {
		return nil, fmt.Errorf("pg: %w", err)
	}
	dir, err := os.MkdirTemp(opts.ParentDir, "rehearsal-pg-")
	if err != nil {
		return nil, fmt.Errorf("pg: create work dir: %w", err)
	}
	s := &Server{
		binDir:  opts.BinDir,
		dir:     dir,
		sockDir: filepath.Join(dir, "sock"),
		port:    port,
		runAs:   ra,
		logPath: filepath.Join(dir, "postgres.log"),
		exited:  make(chan struct{}),
	}
	if err := s.prepare(ctx); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if err := s.launch(ctx, opts.StartTimeout); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// Addr is the host:port PostgreSQL listens on.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// LogPath is the server's log file (removed by Stop).
func (s *Server) LogPath() string { return s.logPath }

func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }

// prepare lays out the directory, runs initdb and writes the TLS files.
func (s *Server) prepare(ctx context.Context) error {
	tlsDir := filepath.Join(s.dir, "tls")
	for _, d := range []string{s.sockDir, tlsDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return fmt.Errorf("pg: create %s: %w", d, err)
		}
	}
	if err := writeSelfSignedCert(filepath.Join(tlsDir, "server.crt"), filepath.Join(tlsDir, "server.key")); err != nil {
		return err
	}
	if err := s.runAs.chownTree(s.dir); err != nil {
		return err
	}
	initdb := s.runAs.command(filepath.Join(s.binDir, "initdb"),
		"-D", s.dataDir(), "-U", "postgres", "-E", "UTF8", "--locale=C",
		"--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync")
	if out, err := runWithContext(ctx, initdb); err != nil {
		if s.runAs.cred != nil && strings.Contains(out, "ermission denied") {
			return fmt.Errorf("pg: initdb as os user postgres: %w: %s (is %s traversable by postgres?)", err, out, filepath.Dir(s.dir))
		}
		return fmt.Errorf("pg: initdb: %w: %s", err, out)
	}
	return s.forceSSL()
}

// hbaForceSSL is what RDS's rds.force_ssl=1 amounts to: TCP clients must use
// TLS (and a password); only the harness's own socket is trusted.
const hbaForceSSL = `local     all all                trust
hostssl   all all 127.0.0.0/8    scram-sha-256
hostnossl all all 0.0.0.0/0      reject
`

func (s *Server) forceSSL() error {
	path := filepath.Join(s.dataDir(), "pg_hba.conf")
	if err := os.WriteFile(path, []byte(hbaForceSSL), 0o600); err != nil {
		return fmt.Errorf("pg: write pg_hba.conf: %w", err)
	}
	return s.runAs.chownTree(path)
}

// launch starts postgres in the foreground and waits until it accepts
// connections.
func (s *Server) launch(ctx context.Context, timeout time.Duration) error {
	tlsDir := filepath.Join(s.dir, "tls")
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("pg: open log: %w", err)
	}
	defer logFile.Close()
	settings := []string{
		"listen_addresses=127.0.0.1",
		"port=" + strconv.Itoa(s.port),
		"unix_socket_directories=" + s.sockDir,
		"track_commit_timestamp=on",
		"ssl=on",
		"ssl_cert_file=" + filepath.Join(tlsDir, "server.crt"),
		"ssl_key_file=" + filepath.Join(tlsDir, "server.key"),
		// Near a db.t4g.micro's (~80–110): each task holds at most 12, the
		// migration a few.
		"max_connections=100",
		// Throwaway data: durability buys nothing and costs test time.
		"fsync=off",
		"synchronous_commit=off",
		"full_page_writes=off",
	}
	args := []string{"-D", s.dataDir()}
	for _, kv := range settings {
		args = append(args, "-c", kv)
	}
	s.cmd = s.runAs.command(filepath.Join(s.binDir, "postgres"), args...)
	s.cmd.Stdout = logFile
	s.cmd.Stderr = logFile
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("pg: start postgres: %w", err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()

	deadline := time.Now().Add(timeout)
	for {
		ready := s.runAs.command(filepath.Join(s.binDir, "pg_isready"),
			"-h", s.sockDir, "-p", strconv.Itoa(s.port), "-U", "postgres", "-q")
		if _, err := runWithContext(ctx, ready); err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("pg: postgres exited during startup: %s", logtail.Lines(s.logPath, 20))
		case <-ctx.Done():
			return fmt.Errorf("pg: waiting for postgres: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pg: postgres not ready after %s: %s", timeout, logtail.Lines(s.logPath, 20))
		}
	}
}

// Stop shuts the server down (fast shutdown, SIGKILL after 15 s) and removes
// its directory. Safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		var errs []error
		if s.cmd != nil && s.cmd.Process != nil {
			// SIGINT is PostgreSQL's "fast" shutdown: abort sessions, checkpoint, exit.
			_ = s.cmd.Process.Signal(syscall.SIGINT)
			if procgroup.WaitOrKill(s.cmd.Process.Pid, s.exited, 15*time.Second) {
				errs = append(errs, errors.New("pg: postgres ignored fast shutdown, killed"))
			}
		}
		if err := os.RemoveAll(s.dir); err != nil {
			errs = append(errs, fmt.Errorf("pg: remove %s: %w", s.dir, err))
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

// runWithContext runs cmd, killing its process group when ctx ends, and
// returns its combined output.
func runWithContext(ctx context.Context, cmd *exec.Cmd) (string, error) {
	var out bytes.Buffer
	if cmd.Stdout == nil {
		cmd.Stdout = &out
	}
	if cmd.Stderr == nil {
		cmd.Stderr = &out
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return strings.TrimSpace(out.String()), err
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		return strings.TrimSpace(out.String()), ctx.Err()
	}
}
