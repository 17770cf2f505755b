package rehearsal

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/authzed/authzed-go/v1"

	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/pg"
)

// requireTools fails (never skips) when the real binaries are missing, saying
// what to install or build.
func requireTools(t *testing.T) {
	t.Helper()
	if _, err := pg.FindBinDir(); err != nil {
		t.Fatalf("PostgreSQL is required for the rehearsal tests: %v", err)
	}
	if _, err := FindSpiceDB(); err != nil {
		t.Fatalf("SpiceDB is required for the rehearsal tests: %v", err)
	}
}

// leakCheckingLogf logs through t and fails the test if a line carries a
// secret of the plan.
func leakCheckingLogf(t *testing.T, p Plan) func(string, ...any) {
	secrets := secretsOf(p)
	return func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("a secret leaked into a log line (line withheld)")
				return
			}
		}
		t.Log(line)
	}
}

// healthzStatus GETs /healthz on a replica's HTTP port.
func healthzStatus(rep *Replica) (int, error) {
	addr, ok := rep.Addr(8443)
	if !ok {
		return 0, errors.New("replica has no port 8443")
	}
	client := http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// stopCleanly stops r and checks that Stop left no process, port or file.
// Defer it right after a successful Start.
func stopCleanly(t *testing.T, r *Rehearsal) {
	t.Helper()
	if err := r.Stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	for _, rep := range r.Replicas() {
		if err := syscall.Kill(rep.Pid(), 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("%s (pid %d) still exists after Stop: %v", rep.Name, rep.Pid(), err)
		}
	}
	for _, addr := range []string{r.Postgres().Addr(), r.Endpoint().Addr} {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			t.Errorf("%s still accepts connections after Stop", addr)
		}
	}
	if _, err := os.Stat(r.WorkDir()); !os.IsNotExist(err) {
		t.Errorf("work dir %s still exists after Stop (%v)", r.WorkDir(), err)
	}
	if _, err := os.Stat(r.Postgres().LogPath()); !os.IsNotExist(err) {
		t.Errorf("postgres dir still exists after Stop (%v)", err)
	}
}

// postFlowClient dials the rehearsal's endpoint with its preshared key and
// runs the vendor post's flow through it; the caller closes the client.
func postFlowClient(ctx context.Context, t *testing.T, r *Rehearsal) *authzed.Client {
	t.Helper()
	c, err := Dial(r.Endpoint(), r.Endpoint().PresharedKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := RunPostFlow(ctx, c); err != nil {
		c.Close()
		t.Fatal(err)
	}
	return c
}

func withTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// assertLogsFreeOfSecrets reads every log the run wrote, unredacted, and
// fails if one holds a secret of the plan (SpiceDB's own logging included).
func assertLogsFreeOfSecrets(t *testing.T, p Plan, dir string, extra ...string) {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".log") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, extra...)
	if len(files) < 3 {
		t.Fatalf("expected migration and serve logs, found %v", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Errorf("read %s: %v", f, err)
			continue
		}
		for _, s := range secretsOf(p) {
			if strings.Contains(string(b), s) {
				t.Errorf("%s contains a secret value", f)
			}
		}
	}
	t.Logf("checked %d log files", len(files))
}
