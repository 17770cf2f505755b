package pg

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// EnsureRoleAndDatabase creates (or updates) a login role with the given
// password and a database it owns. Idempotent. The password travels over
// psql's stdin, never its command line, and is masked in errors.
func (s *Server) EnsureRoleAndDatabase(ctx context.Context, role, password, database string) error {
	if role == "" || database == "" {
		return fmt.Errorf("pg: role and database must be named (role %q, database %q)", role, database)
	}
	if password == "" {
		return fmt.Errorf("pg: role %q needs a password: TCP logins use scram", role)
	}
	// \gexec runs the generated statement only when the SELECT returns a
	// row, which makes CREATE ROLE / CREATE DATABASE conditional.
	script := strings.Join([]string{
		fmt.Sprintf(`SELECT %s WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = %s)\gexec`,
			quoteLiteral("CREATE ROLE "+quoteIdent(role)+" LOGIN"), quoteLiteral(role)),
		fmt.Sprintf(`ALTER ROLE %s WITH LOGIN PASSWORD %s;`, quoteIdent(role), quoteLiteral(password)),
		fmt.Sprintf(`SELECT %s WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = %s)\gexec`,
			quoteLiteral("CREATE DATABASE "+quoteIdent(database)+" OWNER "+quoteIdent(role)), quoteLiteral(database)),
	}, "\n") + "\n"
	if _, err := s.psql(ctx, "postgres", script, password); err != nil {
		return fmt.Errorf("pg: ensure role %q and database %q: %w", role, database, err)
	}
	return nil
}

// Query runs SQL as the superuser in database and returns psql's unaligned,
// tuples-only output (one row per line, columns separated by "|").
func (s *Server) Query(ctx context.Context, database, sql string) (string, error) {
	out, err := s.psql(ctx, database, sql+"\n")
	if err != nil {
		return "", fmt.Errorf("pg: query: %w", err)
	}
	return out, nil
}

// psql feeds script to psql over stdin as the superuser via the Unix socket.
// Any of mask found in psql's output is replaced before it reaches an error.
func (s *Server) psql(ctx context.Context, database, script string, mask ...string) (string, error) {
	cmd := s.runAs.command(filepath.Join(s.binDir, "psql"),
		"-h", s.sockDir, "-p", strconv.Itoa(s.port), "-U", "postgres", "-d", database,
		"-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1")
	cmd.Stdin = strings.NewReader(script)
	out, err := runWithContext(ctx, cmd)
	for _, m := range mask {
		out = strings.ReplaceAll(out, m, "****")
	}
	if err != nil {
		return "", fmt.Errorf("psql: %w: %s", err, out)
	}
	return out, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// quoteLiteral relies on standard_conforming_strings (on since PostgreSQL
// 9.1), under which backslashes inside '...' are ordinary characters.
func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
