package nlb

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Config describes the listener and its target group.
type Config struct {
	// ListenAddr for the TLS listener. Default 127.0.0.1:0 (a free port).
	ListenAddr string
	// SSLPolicy is the listener's ELBSecurityPolicy name; unknown names fail.
	SSLPolicy string
	// ALPNPolicy is the listener's ALPN policy; "" means None, the AWS default.
	ALPNPolicy string
	// HealthCheck of the target group.
	HealthCheck HealthCheck
	// FailOpen routes to unhealthy targets when none is healthy, like a
	// real NLB. Off by default; see the package comment.
	FailOpen bool
	// CADir receives ca.pem, the test CA that signed the listener certificate.
	CADir string
	// Logf receives state changes and connection problems. Optional.
	Logf func(format string, args ...any)
}

const (
	handshakeTimeout = 10 * time.Second
	dialTimeout      = 5 * time.Second
)

// LB is a running emulated Network Load Balancer.
type LB struct {
	cfg     Config
	prober  *prober
	ln      net.Listener
	caPath  string
	caPEM   []byte
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	changed *sync.Cond // broadcast on target state changes; uses mu

	mu       sync.Mutex
	targets  []*target
	next     uint64 // round-robin cursor
	rejected int64
	closed   bool
}

// Start opens the TLS listener, registers targets and starts their checks.
func Start(cfg Config, targets []Target) (*LB, error) {
	policy, err := lookupTLSPolicy(cfg.SSLPolicy)
	if err != nil {
		return nil, err
	}
	protos, err := alpnProtocols(cfg.ALPNPolicy)
	if err != nil {
		return nil, err
	}
	pr, err := newProber(cfg.HealthCheck)
	if err != nil {
		return nil, err
	}
	if cfg.CADir == "" {
		return nil, errors.New("nlb: CADir is required (ca.pem is written there)")
	}
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = "127.0.0.1:0"
	}
	ca, err := newTestCA()
	if err != nil {
		return nil, err
	}
	caPath := filepath.Join(cfg.CADir, "ca.pem")
	if err := os.WriteFile(caPath, ca.caPEM, 0o644); err != nil {
		return nil, fmt.Errorf("nlb: write ca: %w", err)
	}
	tlsConf := &tls.Config{
		Certificates: []tls.Certificate{ca.server},
		MinVersion:   policy.minVersion,
		MaxVersion:   policy.maxVersion,
		CipherSuites: policy.tls12Suites,
		NextProtos:   protos,
	}
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return nil, fmt.Errorf("nlb: listen %s: %w", cfg.ListenAddr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	lb := &LB{cfg: cfg, prober: pr, ln: tls.NewListener(ln, tlsConf), caPath: caPath, caPEM: ca.caPEM, ctx: ctx, cancel: cancel}
	lb.changed = sync.NewCond(&lb.mu)
	for _, t := range targets {
		if err := lb.Register(t); err != nil {
			lb.Close()
			return nil, err
		}
	}
	lb.wg.Add(1)
	go lb.acceptLoop()
	return lb, nil
}

// Addr is the listener's host:port.
func (lb *LB) Addr() string { return lb.ln.Addr().String() }

// CAFile is the path of the PEM file holding the test CA.
func (lb *LB) CAFile() string { return lb.caPath }

// CAPEM is the test CA certificate in PEM form.
func (lb *LB) CAPEM() []byte { return append([]byte(nil), lb.caPEM...) }

func (lb *LB) acceptLoop() {
	defer lb.wg.Done()
	for {
		conn, err := lb.ln.Accept()
		if err != nil {
			if lb.ctx.Err() == nil {
				lb.logf("nlb: accept: %v", err)
			}
			return
		}
		lb.wg.Add(1)
		go func() {
			defer lb.wg.Done()
			lb.serve(conn.(*tls.Conn))
		}()
	}
}

// serve terminates TLS, picks a target and splices the two connections.
func (lb *LB) serve(client *tls.Conn) {
	defer client.Close()
	hsCtx, cancel := context.WithTimeout(lb.ctx, handshakeTimeout)
	err := client.HandshakeContext(hsCtx)
	cancel()
	if err != nil {
		lb.logf("nlb: tls handshake from %s: %v", client.RemoteAddr(), err)
		return
	}
	t := lb.pick()
	if t == nil {
		lb.logf("nlb: no eligible target for %s: closing", client.RemoteAddr())
		return
	}
	d := net.Dialer{Timeout: dialTimeout}
	upstream, err := d.DialContext(lb.ctx, "tcp", t.Addr)
	if err != nil {
		// A real NLB resets the client too; it does not retry another target.
		lb.logf("nlb: dial target %s: %v", t.ID, err)
		return
	}
	pc := &proxiedConn{client: client, upstream: upstream}
	if !lb.track(t, pc, true) {
		pc.close()
		return
	}
	defer lb.track(t, pc, false)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(upstream, client)
	go pipe(client, upstream)
	<-done // either side finished: the flow is over
	pc.close()
	<-done
}

// track adds or removes an open connection. It refuses to add one when the
// LB is closed or the target turned unhealthy while we were dialling it (its
// connections have just been terminated), unless failing open.
func (lb *LB) track(t *target, pc *proxiedConn, add bool) bool {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if !add {
		delete(t.openConns, pc)
		return true
	}
	if lb.closed || (t.state != StateHealthy && !lb.cfg.FailOpen) {
		return false
	}
	t.openConns[pc] = struct{}{}
	return true
}

// Close stops the listener and health checks and closes open connections.
func (lb *LB) Close() error {
	lb.mu.Lock()
	if lb.closed {
		lb.mu.Unlock()
		return nil
	}
	lb.closed = true
	lb.cancel()
	for _, t := range lb.targets {
		t.stopChecks()
		for c := range t.openConns {
			c.close()
		}
	}
	lb.changed.Broadcast()
	lb.mu.Unlock()
	err := lb.ln.Close()
	lb.wg.Wait()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("nlb: close listener: %w", err)
	}
	return nil
}

func (lb *LB) logf(format string, args ...any) {
	if lb.cfg.Logf != nil {
		lb.cfg.Logf(format, args...)
	}
}
