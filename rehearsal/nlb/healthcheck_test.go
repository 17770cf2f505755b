package nlb

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseMatcher(t *testing.T) {
	cases := []struct {
		in      string
		ok, bad []int
		wantErr bool
	}{
		{in: "200", ok: []int{200}, bad: []int{201, 503}},
		{in: "", ok: []int{200, 302, 399}, bad: []int{400, 503}},
		{in: "200-299", ok: []int{200, 250, 299}, bad: []int{300}},
		{in: "200,202, 204", ok: []int{200, 202, 204}, bad: []int{201}},
		{in: "abc", wantErr: true},
		{in: "300-200", wantErr: true},
		{in: "99", wantErr: true},
		{in: "200-", wantErr: true},
	}
	for _, c := range cases {
		r, err := parseMatcher(c.in)
		if (err != nil) != c.wantErr {
			t.Errorf("parseMatcher(%q) err = %v, want error %v", c.in, err, c.wantErr)
			continue
		}
		for _, code := range c.ok {
			if !matches(r, code) {
				t.Errorf("matcher %q should accept %d", c.in, code)
			}
		}
		for _, code := range c.bad {
			if matches(r, code) {
				t.Errorf("matcher %q should reject %d", c.in, code)
			}
		}
	}
}

func TestProbe(t *testing.T) {
	var mu sync.Mutex
	var seenPath, seenUA string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seenPath, seenUA = r.URL.Path, r.UserAgent()
		mu.Unlock()
		switch r.URL.Path {
		case "/healthz":
			w.WriteHeader(http.StatusOK)
		case "/slow":
			time.Sleep(300 * time.Millisecond)
		case "/redirect":
			http.Redirect(w, r, "/healthz", http.StatusFound)
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer tlsSrv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	tlsAddr := strings.TrimPrefix(tlsSrv.URL, "https://")

	cases := []struct {
		name    string
		check   HealthCheck
		addr    string
		wantErr string
	}{
		{"http ok", HealthCheck{Protocol: "HTTP", Path: "/healthz", Matcher: "200"}, addr, ""},
		{"http 503", HealthCheck{Protocol: "HTTP", Path: "/other", Matcher: "200"}, addr, "status 503"},
		{"http timeout", HealthCheck{Protocol: "HTTP", Path: "/slow", Matcher: "200"}, addr, "deadline"},
		{"redirect not followed", HealthCheck{Protocol: "HTTP", Path: "/redirect", Matcher: "200"}, addr, "status 302"},
		{"https skips verification", HealthCheck{Protocol: "HTTPS", Path: "/", Matcher: "200"}, tlsAddr, ""},
		{"tcp ok", HealthCheck{Protocol: "TCP"}, addr, ""},
		{"tcp refused", HealthCheck{Protocol: "TCP"}, "127.0.0.1:1", "refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.check.Interval, c.check.Timeout = time.Second, 100*time.Millisecond
			c.check.HealthyThreshold, c.check.UnhealthyThreshold = 2, 2
			p, err := newProber(c.check)
			if err != nil {
				t.Fatal(err)
			}
			err = p.probe(context.Background(), c.addr)
			if c.wantErr == "" && err != nil {
				t.Errorf("probe: %v", err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Errorf("probe err = %v, want containing %q", err, c.wantErr)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if seenUA != "ELB-HealthChecker/2.0" || seenPath == "" {
		t.Errorf("health checker identity: path %q user agent %q", seenPath, seenUA)
	}
}

func TestHealthCheckValidation(t *testing.T) {
	good := fastCheck()
	mutate := []func(*HealthCheck){
		func(h *HealthCheck) { h.Protocol = "GRPC" },
		func(h *HealthCheck) { h.Path = "healthz" },
		func(h *HealthCheck) { h.Matcher = "x" },
		func(h *HealthCheck) { h.Interval = 0 },
		func(h *HealthCheck) { h.Timeout = 0 },
		func(h *HealthCheck) { h.HealthyThreshold = 0 },
		func(h *HealthCheck) { h.UnhealthyThreshold = 0 },
	}
	if err := good.validate(); err != nil {
		t.Fatalf("baseline invalid: %v", err)
	}
	for i, m := range mutate {
		h := good
		m(&h)
		if err := h.validate(); err == nil {
			t.Errorf("mutation %d accepted: %+v", i, h)
		}
	}
}
