// Package localcert issues throwaway TLS certificates for the rehearsal's
// servers on loopback: the PostgreSQL stand-in for RDS and the listener of
// the NLB stand-in. Keys are ECDSA P-256; certificates are valid from an hour
// ago (clock skew) for two days.
package localcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Authority is a throwaway certificate authority.
type Authority struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
}

// NewAuthority makes a self-signed CA named commonName.
func NewAuthority(commonName string) (*Authority, error) {
	key, tmpl, err := newKeyAndTemplate(commonName)
	if err != nil {
		return nil, err
	}
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("localcert: self-sign ca: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("localcert: parse ca: %w", err)
	}
	return &Authority{Cert: cert, Key: key}, nil
}

// PEM is the authority's certificate as a client trusts it.
func (a *Authority) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Cert.Raw})
}

// Server is a server certificate for localhost, 127.0.0.1 and ::1 and its key.
type Server struct {
	DER []byte
	Key *ecdsa.PrivateKey
}

// NewServer issues a server certificate signed by ca, or self-signed when ca
// is nil.
func NewServer(ca *Authority) (*Server, error) {
	key, tmpl, err := newKeyAndTemplate("localhost")
	if err != nil {
		return nil, err
	}
	tmpl.DNSNames = []string{"localhost"}
	tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	parent, parentKey := tmpl, key
	if ca != nil {
		parent, parentKey = ca.Cert, ca.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, fmt.Errorf("localcert: sign server certificate: %w", err)
	}
	return &Server{DER: der, Key: key}, nil
}

// CertPEM is the certificate in PEM.
func (s *Server) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.DER})
}

// KeyPEM is the private key in PKCS #8 PEM.
func (s *Server) KeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(s.Key)
	if err != nil {
		return nil, fmt.Errorf("localcert: marshal key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// newKeyAndTemplate makes a fresh key and the template fields every
// certificate here shares.
func newKeyAndTemplate(commonName string) (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("localcert: generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, fmt.Errorf("localcert: serial number: %w", err)
	}
	now := time.Now()
	return key, &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: commonName},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(48 * time.Hour),
	}, nil
}
