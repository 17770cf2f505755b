package pg

import (
	"fmt"
	"os"

	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/internal/localcert"
)

// writeSelfSignedCert writes a throwaway server certificate and key for
// localhost/127.0.0.1. Clients using sslmode=require do not verify it, which
// is exactly how SpiceDB talks to RDS in production.
func writeSelfSignedCert(certPath, keyPath string) error {
	srv, err := localcert.NewServer(nil)
	if err != nil {
		return fmt.Errorf("pg: tls certificate: %w", err)
	}
	keyPEM, err := srv.KeyPEM()
	if err != nil {
		return fmt.Errorf("pg: tls key: %w", err)
	}
	if err := os.WriteFile(certPath, srv.CertPEM(), 0o644); err != nil {
		return fmt.Errorf("pg: write tls cert: %w", err)
	}
	// PostgreSQL refuses a key file readable by group or others.
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		return fmt.Errorf("pg: write tls key: %w", err)
	}
	return nil
}
