package nlb

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HealthCheck is a target group health check, with durations already scaled
// by whatever the caller wants.
type HealthCheck struct {
	Protocol           string // HTTP, HTTPS or TCP
	Path               string // HTTP(S) only, e.g. /healthz
	Matcher            string // HTTP(S) only: "200", "200-399", "200,202"; default "200-399"
	Interval           time.Duration
	Timeout            time.Duration
	HealthyThreshold   int
	UnhealthyThreshold int
}

func (h HealthCheck) validate() error {
	switch h.Protocol {
	case "HTTP", "HTTPS":
		if !strings.HasPrefix(h.Path, "/") {
			return fmt.Errorf("nlb: health check path %q must start with /", h.Path)
		}
		if _, err := parseMatcher(h.Matcher); err != nil {
			return err
		}
	case "TCP":
	default:
		return fmt.Errorf("nlb: health check protocol %q unknown (HTTP, HTTPS, TCP)", h.Protocol)
	}
	if h.Interval <= 0 || h.Timeout <= 0 {
		return fmt.Errorf("nlb: health check interval %s and timeout %s must be positive", h.Interval, h.Timeout)
	}
	if h.HealthyThreshold < 1 || h.UnhealthyThreshold < 1 {
		return fmt.Errorf("nlb: health check thresholds (%d healthy, %d unhealthy) must be at least 1",
			h.HealthyThreshold, h.UnhealthyThreshold)
	}
	return nil
}

// codeRange is one inclusive range of HTTP status codes.
type codeRange struct{ lo, hi int }

// parseMatcher reads an ELB HttpCode matcher: comma-separated codes or
// lo-hi ranges. Empty means the NLB default for HTTP checks, 200-399.
func parseMatcher(m string) ([]codeRange, error) {
	if m == "" {
		return []codeRange{{200, 399}}, nil
	}
	var out []codeRange
	for part := range strings.SplitSeq(m, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		l, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("nlb: health check matcher %q: %q is not a status code", m, lo)
		}
		h := l
		if isRange {
			if h, err = strconv.Atoi(hi); err != nil {
				return nil, fmt.Errorf("nlb: health check matcher %q: %q is not a status code", m, hi)
			}
		}
		if l < 100 || h > 599 || l > h {
			return nil, fmt.Errorf("nlb: health check matcher %q: %q is not a valid code or range", m, part)
		}
		out = append(out, codeRange{l, h})
	}
	return out, nil
}

func matches(ranges []codeRange, code int) bool {
	for _, r := range ranges {
		if code >= r.lo && code <= r.hi {
			return true
		}
	}
	return false
}

// prober runs one health check against one address.
type prober struct {
	check  HealthCheck
	codes  []codeRange
	client *http.Client
}

func newProber(h HealthCheck) (*prober, error) {
	if err := h.validate(); err != nil {
		return nil, err
	}
	codes, err := parseMatcher(h.Matcher)
	if err != nil {
		return nil, err
	}
	transport := &http.Transport{
		// An NLB does not validate target certificates.
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // emulating the NLB
		DisableKeepAlives: true,                                  // every check is a fresh connection, like the NLB's
		Proxy:             nil,
	}
	return &prober{
		check: h,
		codes: codes,
		client: &http.Client{
			Transport: transport,
			// The NLB judges the status of the first response; it does not follow redirects.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// probe returns nil when addr passes the check.
func (p *prober) probe(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, p.check.Timeout)
	defer cancel()
	if p.check.Protocol == "TCP" {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return conn.Close()
	}
	scheme := "http"
	if p.check.Protocol == "HTTPS" {
		scheme = "https"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+addr+p.check.Path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "ELB-HealthChecker/2.0")
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if !matches(p.codes, resp.StatusCode) {
		return fmt.Errorf("status %d does not match %q", resp.StatusCode, p.check.Matcher)
	}
	return nil
}
