package pg

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServerServesTLSLoginsWithCommitTimestamps starts a real PostgreSQL and
// logs in the way SpiceDB will: over TCP, password auth, sslmode=require.
func TestServerServesTLSLoginsWithCommitTimestamps(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	s, err := Start(ctx, Options{})
	if err != nil {
		t.Fatalf("start postgres: %v", err)
	}
	dir := s.dir
	defer func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("work dir %s still exists after Stop (stat err %v)", dir, err)
		}
	}()

	const password = "pa'ss\\word"
	for range 2 { // idempotent
		if err := s.EnsureRoleAndDatabase(ctx, "spicedb", password, "spicedb"); err != nil {
			t.Fatalf("ensure role: %v", err)
		}
	}

	if got, err := s.Query(ctx, "spicedb", "SHOW ssl; SELECT datdba::regrole FROM pg_database WHERE datname = 'spicedb'"); err != nil || got != "on\nspicedb" {
		t.Errorf("superuser query = %q, %v; want ssl on and spicedb owning its database", got, err)
	}

	uri := "postgres://spicedb@" + s.Addr() + "/spicedb?sslmode=require"
	cmd := exec.CommandContext(ctx, filepath.Join(s.binDir, "psql"), uri, "-X", "-A", "-t", "-c",
		"SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid(); SHOW track_commit_timestamp; SELECT current_user, current_database();")
	cmd.Env = []string{"PGPASSWORD=" + password, "PGCONNECT_TIMEOUT=5"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql over tcp: %v: %s", err, out)
	}
	want := "t\non\nspicedb|spicedb"
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("session facts = %q, want %q (ssl used, track_commit_timestamp, role|db)", got, want)
	}

	cmd = exec.CommandContext(ctx, filepath.Join(s.binDir, "psql"), uri, "-X", "-c", "SELECT 1")
	cmd.Env = []string{"PGPASSWORD=wrong", "PGCONNECT_TIMEOUT=5"}
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("login with a wrong password succeeded: %s", out)
	}

	// rds.force_ssl=1: the right password without TLS is refused.
	plain := "postgres://spicedb@" + s.Addr() + "/spicedb?sslmode=disable"
	cmd = exec.CommandContext(ctx, filepath.Join(s.binDir, "psql"), plain, "-X", "-c", "SELECT 1")
	cmd.Env = []string{"PGPASSWORD=" + password, "PGCONNECT_TIMEOUT=5"}
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "no encryption") {
		t.Errorf("login without TLS = %v: %s; want refused for no encryption", err, out)
	}
}

func TestEnsureRoleAndDatabaseRejectsIncompleteInput(t *testing.T) {
	s := &Server{} // validation happens before any server is touched
	cases := []struct{ role, password, db string }{
		{"", "pw", "db"},
		{"r", "pw", ""},
		{"r", "", "db"},
	}
	for _, c := range cases {
		if err := s.EnsureRoleAndDatabase(context.Background(), c.role, c.password, c.db); err == nil {
			t.Errorf("EnsureRoleAndDatabase(%q, pw?, %q) = nil, want error", c.role, c.db)
		}
	}
}

func TestQuoting(t *testing.T) {
	if got := quoteIdent(`a"b`); got != `"a""b"` {
		t.Errorf("quoteIdent = %s", got)
	}
	if got := quoteLiteral(`it's`); got != `'it''s'` {
		t.Errorf("quoteLiteral = %s", got)
	}
}
