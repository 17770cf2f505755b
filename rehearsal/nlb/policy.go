package nlb

import (
	"crypto/tls"
	"fmt"
)

// tlsPolicy is what an ELBSecurityPolicy means for a Go TLS server.
type tlsPolicy struct {
	minVersion, maxVersion uint16
	// tls12Suites applies to TLS 1.2 handshakes only; Go's TLS 1.3 suites are
	// not configurable and are all included in every AWS TLS 1.3 policy.
	tls12Suites []uint16
}

// Go implements no CBC-SHA384 suites, so the ECDHE-*-AES256-SHA384 entries
// of the AWS lists cannot be offered; the rest are mapped one to one.
var (
	suitesFSGCM = []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	}
	suitesFSGCMAndCBC256 = append(append([]uint16{}, suitesFSGCM...),
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	)
)

// tlsPolicies are the security policies this emulator accepts. Anything else
// (notably the API default ELBSecurityPolicy-2016-08, which allows TLS 1.0)
// is an error, so a plan that forgets to set a modern policy fails loudly.
var tlsPolicies = map[string]tlsPolicy{
	"ELBSecurityPolicy-TLS13-1-2-2021-06":     {tls.VersionTLS12, tls.VersionTLS13, suitesFSGCMAndCBC256},
	"ELBSecurityPolicy-TLS13-1-2-Res-2021-06": {tls.VersionTLS12, tls.VersionTLS13, suitesFSGCM},
	"ELBSecurityPolicy-TLS13-1-3-2021-06":     {tls.VersionTLS13, tls.VersionTLS13, nil},
	"ELBSecurityPolicy-FS-1-2-Res-2020-10":    {tls.VersionTLS12, tls.VersionTLS12, suitesFSGCM},
}

func lookupTLSPolicy(name string) (tlsPolicy, error) {
	p, ok := tlsPolicies[name]
	if !ok {
		return tlsPolicy{}, fmt.Errorf("nlb: ssl policy %q is not emulated (accepted: %s)", name, acceptedPolicies())
	}
	return p, nil
}

func acceptedPolicies() string {
	return "ELBSecurityPolicy-TLS13-1-2-2021-06, ELBSecurityPolicy-TLS13-1-2-Res-2021-06, " +
		"ELBSecurityPolicy-TLS13-1-3-2021-06, ELBSecurityPolicy-FS-1-2-Res-2020-10"
}

// alpnProtocols maps an NLB listener ALPN policy to the protocols the
// listener offers. An unset policy is "None", the AWS default — the setting
// that breaks grpc-go clients.
func alpnProtocols(policy string) ([]string, error) {
	switch policy {
	case "", "None":
		return nil, nil
	case "HTTP2Only":
		return []string{"h2"}, nil
	case "HTTP2Preferred":
		return []string{"h2", "http/1.1"}, nil
	case "HTTP2Optional":
		return []string{"http/1.1", "h2"}, nil
	case "HTTP1Only":
		return []string{"http/1.1"}, nil
	default:
		return nil, fmt.Errorf("nlb: alpn policy %q unknown (accepted: None, HTTP1Only, HTTP2Only, HTTP2Optional, HTTP2Preferred)", policy)
	}
}

// CheckListener reports whether the emulator accepts a listener's SSL and
// ALPN policies, so callers can fail before starting anything.
func CheckListener(sslPolicy, alpnPolicy string) error {
	if _, err := lookupTLSPolicy(sslPolicy); err != nil {
		return err
	}
	_, err := alpnProtocols(alpnPolicy)
	return err
}
