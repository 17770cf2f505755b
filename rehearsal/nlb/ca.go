package nlb

import (
	"crypto/tls"
	"fmt"

	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/internal/localcert"
)

// testCA is a throwaway certificate authority and the listener certificate
// it signed — the stand-in for the ACM certificate on the real listener.
type testCA struct {
	caPEM  []byte
	server tls.Certificate
}

func newTestCA() (*testCA, error) {
	ca, err := localcert.NewAuthority("rehearsal test CA")
	if err != nil {
		return nil, fmt.Errorf("nlb: %w", err)
	}
	srv, err := localcert.NewServer(ca)
	if err != nil {
		return nil, fmt.Errorf("nlb: listener certificate: %w", err)
	}
	return &testCA{
		caPEM:  ca.PEM(),
		server: tls.Certificate{Certificate: [][]byte{srv.DER}, PrivateKey: srv.Key},
	}, nil
}
