package rehearsal

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/authzed/authzed-go/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// bearerToken sends the preshared key the way zed and authzed-go do.
type bearerToken string

func (b bearerToken) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

// RequireTransportSecurity keeps the key off cleartext connections.
func (bearerToken) RequireTransportSecurity() bool { return true }

// Dial connects an authzed-go client to the endpoint through TLS that
// verifies the test CA, authenticating with key. Extra options go last.
func Dial(ep Endpoint, key string, opts ...grpc.DialOption) (*authzed.Client, error) {
	pem, err := os.ReadFile(ep.CAFile)
	if err != nil {
		return nil, fmt.Errorf("rehearsal: read CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("rehearsal: %s holds no PEM certificate", ep.CAFile)
	}
	base := []grpc.DialOption{
		grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})),
		grpc.WithPerRPCCredentials(bearerToken(key)),
	}
	client, err := authzed.NewClient(ep.Addr, append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("rehearsal: client for %s: %w", ep.Addr, err)
	}
	return client, nil
}
