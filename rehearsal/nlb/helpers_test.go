package nlb

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// backend is a fake target: a TCP server that greets each connection with
// its id and then echoes, plus an HTTP /healthz whose status tests switch.
type backend struct {
	id       string
	status   atomic.Int32
	accepted atomic.Int64
	traffic  net.Listener
	health   *httptest.Server
}

func newBackend(t *testing.T, id string, status int) *backend {
	t.Helper()
	b := &backend{id: id}
	b.status.Store(int32(status))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.traffic = ln
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.accepted.Add(1)
			go func() {
				defer c.Close()
				if _, err := io.WriteString(c, id+"\n"); err != nil {
					return
				}
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	b.health = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.WriteHeader(int(b.status.Load()))
	}))
	t.Cleanup(func() {
		ln.Close()
		b.health.Close()
	})
	return b
}

func (b *backend) target() Target {
	return Target{ID: b.id, Addr: b.traffic.Addr().String(), HealthAddr: strings.TrimPrefix(b.health.URL, "http://")}
}

// fastCheck is a health check scaled down for unit tests.
func fastCheck() HealthCheck {
	return HealthCheck{
		Protocol: "HTTP", Path: "/healthz", Matcher: "200",
		Interval: 25 * time.Millisecond, Timeout: time.Second,
		HealthyThreshold: 2, UnhealthyThreshold: 2,
	}
}

// startTestLB starts an LB in front of n backends (ids t0, t1, ...) that
// start healthy. Zero-valued Config fields get test defaults.
func startTestLB(t *testing.T, cfg Config, n int) *LB {
	lb, _ := startTestLBWithBackends(t, cfg, n, http.StatusOK)
	return lb
}

func startTestLBWithBackends(t *testing.T, cfg Config, n, status int) (*LB, []*backend) {
	t.Helper()
	var backends []*backend
	var targets []Target
	for i := range n {
		b := newBackend(t, "t"+string(rune('0'+i)), status)
		backends = append(backends, b)
		targets = append(targets, b.target())
	}
	if cfg.SSLPolicy == "" {
		cfg.SSLPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
	}
	if cfg.HealthCheck == (HealthCheck{}) {
		cfg.HealthCheck = fastCheck()
	}
	if cfg.CADir == "" {
		cfg.CADir = t.TempDir()
	}
	cfg.Logf = t.Logf
	lb, err := Start(cfg, targets)
	if err != nil {
		t.Fatalf("start lb: %v", err)
	}
	t.Cleanup(func() {
		if err := lb.Close(); err != nil {
			t.Errorf("close lb: %v", err)
		}
	})
	return lb, backends
}

func clientTLS(t *testing.T, lb *LB) *tls.Config {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(lb.CAPEM()) {
		t.Fatal("CA PEM not parseable")
	}
	return &tls.Config{RootCAs: pool, NextProtos: []string{"h2"}}
}

// greet opens a connection through the LB and returns the backend id that
// answered ("" if the LB closed the connection) and the open connection.
func greet(t *testing.T, lb *LB) (string, *tls.Conn) {
	t.Helper()
	conn, err := tls.Dial("tcp", lb.Addr(), clientTLS(t, lb))
	if err != nil {
		t.Fatalf("dial lb: %v", err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		conn.Close()
		return "", nil
	}
	_ = conn.SetReadDeadline(time.Time{})
	return strings.TrimSpace(line), conn
}
