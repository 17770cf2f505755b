package nlb

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// TestGRPCClientNeedsALPN reproduces the deployment trap with a real grpc-go
// client and server: behind a listener without ALPN the client refuses the
// connection; with HTTP2Only it works over cleartext h2 to the target.
func TestGRPCClientNeedsALPN(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go func() { _ = srv.Serve(ln) }()
	defer srv.Stop()
	tcpTarget := Target{ID: "grpc", Addr: ln.Addr().String(), HealthAddr: ln.Addr().String()}

	cases := []struct {
		alpn    string
		wantErr string
	}{
		{"HTTP2Only", ""},
		{"None", "missing selected ALPN property"},
	}
	for _, c := range cases {
		t.Run(c.alpn, func(t *testing.T) {
			hc := fastCheck()
			hc.Protocol = "TCP"
			lb, err := Start(Config{SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", ALPNPolicy: c.alpn,
				HealthCheck: hc, CADir: t.TempDir(), Logf: t.Logf}, []Target{tcpTarget})
			if err != nil {
				t.Fatal(err)
			}
			defer lb.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := lb.WaitAll(ctx, StateHealthy); err != nil {
				t.Fatal(err)
			}
			conn, err := grpc.NewClient(lb.Addr(), grpc.WithTransportCredentials(credentials.NewTLS(clientTLS(t, lb))))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
			if c.wantErr == "" {
				if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
					t.Fatalf("health via LB: %v %v", resp, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v, want containing %q", err, c.wantErr)
			}
		})
	}
}
