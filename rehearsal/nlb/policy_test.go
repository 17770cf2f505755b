package nlb

import (
	"crypto/tls"
	"slices"
	"testing"
)

func TestTLSPolicyVersions(t *testing.T) {
	cases := []struct {
		policy           string
		clientMin        uint16
		clientMax        uint16
		wantHandshakeErr bool
	}{
		{"ELBSecurityPolicy-TLS13-1-2-2021-06", tls.VersionTLS12, tls.VersionTLS12, false},
		{"ELBSecurityPolicy-TLS13-1-2-2021-06", tls.VersionTLS13, tls.VersionTLS13, false},
		{"ELBSecurityPolicy-TLS13-1-2-2021-06", tls.VersionTLS10, tls.VersionTLS11, true},
		{"ELBSecurityPolicy-TLS13-1-3-2021-06", tls.VersionTLS13, tls.VersionTLS13, false},
		{"ELBSecurityPolicy-TLS13-1-3-2021-06", tls.VersionTLS12, tls.VersionTLS12, true},
		{"ELBSecurityPolicy-FS-1-2-Res-2020-10", tls.VersionTLS12, tls.VersionTLS12, false},
		{"ELBSecurityPolicy-FS-1-2-Res-2020-10", tls.VersionTLS13, tls.VersionTLS13, true},
	}
	for _, c := range cases {
		t.Run(c.policy, func(t *testing.T) {
			lb := startTestLB(t, Config{SSLPolicy: c.policy, ALPNPolicy: "HTTP2Only"}, 1)
			conf := clientTLS(t, lb)
			conf.MinVersion, conf.MaxVersion = c.clientMin, c.clientMax
			conn, err := tls.Dial("tcp", lb.Addr(), conf)
			if err == nil {
				conn.Close()
			}
			if (err != nil) != c.wantHandshakeErr {
				t.Errorf("client TLS %x-%x: handshake err = %v, want error: %v", c.clientMin, c.clientMax, err, c.wantHandshakeErr)
			}
		})
	}
}

func TestTLSPolicyRejectsUnknownAndLegacyNames(t *testing.T) {
	for _, name := range []string{"", "ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS-1-2-2017-01", "nonsense"} {
		if _, err := Start(Config{SSLPolicy: name, HealthCheck: fastCheck(), CADir: t.TempDir()}, nil); err == nil {
			t.Errorf("Start with ssl policy %q succeeded, want error", name)
		}
	}
}

func TestALPNPolicyNegotiation(t *testing.T) {
	cases := []struct {
		policy string
		client []string
		want   string
		fails  bool
	}{
		{"HTTP2Only", []string{"h2", "http/1.1"}, "h2", false},
		// No overlap: crypto/tls lets an http/1.1-only client through with no
		// protocol selected (its compatibility fallback) rather than alerting.
		{"HTTP2Only", []string{"http/1.1"}, "", false},
		{"HTTP2Only", []string{"spdy/3"}, "", true}, // no overlap otherwise: no_application_protocol
		{"HTTP2Preferred", []string{"http/1.1", "h2"}, "h2", false},
		{"HTTP2Optional", []string{"h2", "http/1.1"}, "http/1.1", false},
		{"HTTP1Only", []string{"h2", "http/1.1"}, "http/1.1", false},
		{"None", []string{"h2"}, "", false},
		{"", []string{"h2"}, "", false}, // unset = None, the AWS default
	}
	for _, c := range cases {
		t.Run(c.policy+"/"+c.client[0], func(t *testing.T) {
			lb := startTestLB(t, Config{SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", ALPNPolicy: c.policy}, 1)
			conf := clientTLS(t, lb)
			conf.NextProtos = c.client
			conn, err := tls.Dial("tcp", lb.Addr(), conf)
			if c.fails {
				if err == nil {
					conn.Close()
					t.Fatalf("handshake succeeded, want failure")
				}
				return
			}
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			defer conn.Close()
			if got := conn.ConnectionState().NegotiatedProtocol; got != c.want {
				t.Errorf("negotiated %q, want %q", got, c.want)
			}
		})
	}
	if _, err := alpnProtocols("HTTP3"); err == nil {
		t.Errorf("unknown ALPN policy accepted")
	}
}

func TestPolicySuitesAreGoSupported(t *testing.T) {
	supported := map[uint16]bool{}
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		supported[s.ID] = true
	}
	for name, p := range tlsPolicies {
		for _, id := range p.tls12Suites {
			if !supported[id] {
				t.Errorf("%s: suite %s not implemented by crypto/tls", name, tls.CipherSuiteName(id))
			}
		}
		if p.minVersion > p.maxVersion {
			t.Errorf("%s: min version above max", name)
		}
		if p.maxVersion == tls.VersionTLS12 && len(p.tls12Suites) == 0 {
			t.Errorf("%s: TLS 1.2-only policy without suites", name)
		}
	}
	if !slices.Contains(tlsPolicies["ELBSecurityPolicy-FS-1-2-Res-2020-10"].tls12Suites, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) {
		t.Errorf("FS-1-2-Res-2020-10 lacks the ECDSA suite our listener certificate needs")
	}
}
