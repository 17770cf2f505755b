package localcert

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"
)

func TestServerSignedByAuthorityVerifiesForLoopback(t *testing.T) {
	ca, err := NewAuthority("rehearsal test CA")
	if err != nil {
		t.Fatal(err)
	}
	if !ca.Cert.IsCA || ca.Cert.Subject.CommonName != "rehearsal test CA" {
		t.Errorf("authority: IsCA=%v CN=%q", ca.Cert.IsCA, ca.Cert.Subject.CommonName)
	}
	srv, err := NewServer(ca)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(ca.PEM()) {
		t.Fatal("the authority's PEM does not parse")
	}
	assertServesLoopback(t, srv, roots)
}

func TestSelfSignedServerVerifiesAgainstItself(t *testing.T) {
	srv, err := NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(srv.DER)
	if err != nil {
		t.Fatal(err)
	}
	if cert.IsCA {
		t.Error("a self-signed server certificate must not be a CA")
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	assertServesLoopback(t, srv, roots)
}

func assertServesLoopback(t *testing.T, srv *Server, roots *x509.CertPool) {
	t.Helper()
	keyPEM, err := srv.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	if block, _ := pem.Decode(keyPEM); block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("KeyPEM is not a PKCS #8 PEM block")
	}
	pair, err := tls.X509KeyPair(srv.CertPEM(), keyPEM)
	if err != nil {
		t.Fatalf("certificate and key do not match: %v", err)
	}
	leaf := pair.Leaf
	for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
		for _, at := range []time.Time{time.Now(), time.Now().Add(-50 * time.Minute), time.Now().Add(47 * time.Hour)} {
			_, err := leaf.Verify(x509.VerifyOptions{
				DNSName:     name,
				Roots:       roots,
				CurrentTime: at,
				KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			})
			if err != nil {
				t.Errorf("verify for %s at %s: %v", name, at.Format(time.RFC3339), err)
			}
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "example.internal", Roots: roots}); err == nil {
		t.Error("the certificate verifies for a name other than loopback")
	}
}
