package fakeproviders

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// TLSVersion is the pulumi-tls version the fake reports.
const TLSVersion = "5.3.1"

// newTLS serves real key material: keys and certificates are generated with crypto/x509 so
// programs and tests can parse them. Every tls input forces replacement, as in pulumi-tls.
// OpenSSH encodings and fingerprints are not produced.
func newTLS(c *Cloud) *fakeProvider {
	p := newFakeProvider(c, "tls", TLSVersion)
	p.kinds["tls:index/privateKey:PrivateKey"] = &kind{
		required:      []string{"algorithm"},
		replaceAllBut: []string{},
		secretOutputs: []string{"privateKeyPem", "privateKeyPemPkcs8"},
		validate: func(in resource.PropertyMap) []*pulumirpc.CheckFailure {
			switch a := str(in, "algorithm"); {
			case unknown(in, "algorithm"), absent(in, "algorithm"), a == "RSA", a == "ECDSA", a == "ED25519":
				return nil
			default:
				return []*pulumirpc.CheckFailure{invalid("algorithm", "expected one of RSA, ECDSA, ED25519, got %q", a)}
			}
		},
		outputs: tlsPrivateKey,
	}
	p.kinds["tls:index/selfSignedCert:SelfSignedCert"] = &kind{
		required:      []string{"privateKeyPem", "validityPeriodHours", "allowedUses"},
		replaceAllBut: []string{"earlyRenewalHours"},
		secretOutputs: []string{"privateKeyPem"},
		outputs:       tlsSelfSignedCert,
	}
	p.kinds["tls:index/certRequest:CertRequest"] = &kind{
		required:      []string{"privateKeyPem"},
		replaceAllBut: []string{},
		secretOutputs: []string{"privateKeyPem"},
		outputs:       tlsCertRequest,
	}
	p.kinds["tls:index/locallySignedCert:LocallySignedCert"] = &kind{
		required:      []string{"certRequestPem", "caPrivateKeyPem", "caCertPem", "validityPeriodHours", "allowedUses"},
		replaceAllBut: []string{"earlyRenewalHours"},
		secretOutputs: []string{"caPrivateKeyPem"},
		outputs:       tlsLocallySignedCert,
	}
	return p
}

// tlsPreview returns placeholders for the computed outputs; the server turns them unknown.
func tlsPreview(keys ...string) resource.PropertyMap {
	m := resource.PropertyMap{}
	for _, k := range keys {
		m[resource.PropertyKey(k)] = strProp("")
	}
	return m
}

func tlsPrivateKey(c *call) (string, resource.PropertyMap, error) {
	if c.preview {
		return "", tlsPreview("privateKeyPem", "privateKeyPemPkcs8", "publicKeyPem"), nil
	}
	var key crypto.Signer
	var sec1 []byte
	var err error
	blockType := "PRIVATE KEY"
	switch str(c.in, "algorithm") {
	case "RSA":
		key, err = rsa.GenerateKey(rand.Reader, int(num(c.in, "rsaBits", 2048)))
		if err == nil {
			blockType, sec1 = "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key.(*rsa.PrivateKey))
		}
	case "ECDSA":
		curve, cerr := curveOf(str(c.in, "ecdsaCurve"))
		if cerr != nil {
			return "", nil, cerr
		}
		key, err = ecdsa.GenerateKey(curve, rand.Reader)
		if err == nil {
			blockType = "EC PRIVATE KEY"
			sec1, err = x509.MarshalECPrivateKey(key.(*ecdsa.PrivateKey))
		}
	case "ED25519":
		_, key, err = ed25519.GenerateKey(rand.Reader)
	default:
		return "", nil, fmt.Errorf("unsupported algorithm %q", str(c.in, "algorithm"))
	}
	if err != nil {
		return "", nil, fmt.Errorf("generate key: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", nil, fmt.Errorf("encode key: %w", err)
	}
	if sec1 == nil {
		sec1 = pkcs8
	}
	pub, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return "", nil, fmt.Errorf("encode public key: %w", err)
	}
	sum := sha1.Sum(pub)
	return hex.EncodeToString(sum[:]), resource.PropertyMap{
		"privateKeyPem":      strProp(pemString(blockType, sec1)),
		"privateKeyPemPkcs8": strProp(pemString("PRIVATE KEY", pkcs8)),
		"publicKeyPem":       strProp(pemString("PUBLIC KEY", pub)),
		"rsaBits":            numProp(2048),
		"ecdsaCurve":         strProp("P224"),
	}, nil
}

// curveOf maps pulumi-tls curve names; P224 is the provider's default.
func curveOf(name string) (elliptic.Curve, error) {
	switch name {
	case "", "P224":
		return elliptic.P224(), nil
	case "P256":
		return elliptic.P256(), nil
	case "P384":
		return elliptic.P384(), nil
	case "P521":
		return elliptic.P521(), nil
	}
	return nil, fmt.Errorf("unsupported ecdsaCurve %q", name)
}

func pemString(blockType string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}))
}

func parsePrivateKey(pemText string) (crypto.Signer, string, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, "", errors.New("private key: no PEM block found")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	}
	if err != nil {
		return nil, "", fmt.Errorf("private key: %w", err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, "RSA", nil
	case *ecdsa.PrivateKey:
		return k, "ECDSA", nil
	case ed25519.PrivateKey:
		return k, "ED25519", nil
	}
	return nil, "", fmt.Errorf("private key: unsupported type %T", key)
}

// certTemplate applies subject, SANs, validity and allowed uses as pulumi-tls does.
func certTemplate(in resource.PropertyMap) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("serial: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subjectOf(in),
		NotBefore:             now,
		NotAfter:              now.Add(time.Duration(num(in, "validityPeriodHours", 0)) * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  boolean(in, "isCaCertificate", false),
		DNSNames:              strs(in, "dnsNames"),
	}
	if ips, err := parseIPs(strs(in, "ipAddresses")); err != nil {
		return nil, err
	} else {
		tmpl.IPAddresses = ips
	}
	for _, use := range strs(in, "allowedUses") {
		ku, eku, err := usageOf(use)
		if err != nil {
			return nil, err
		}
		tmpl.KeyUsage |= ku
		if eku >= 0 {
			tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, eku)
		}
	}
	return tmpl, nil
}

func certOutputs(der []byte, tmpl *x509.Certificate) resource.PropertyMap {
	return resource.PropertyMap{
		"certPem":           strProp(pemString("CERTIFICATE", der)),
		"validityStartTime": strProp(tmpl.NotBefore.Format(time.RFC3339)),
		"validityEndTime":   strProp(tmpl.NotAfter.Format(time.RFC3339)),
		"readyForRenewal":   resource.NewBoolProperty(false),
		"earlyRenewalHours": numProp(0),
		"isCaCertificate":   resource.NewBoolProperty(false),
	}
}

func tlsSelfSignedCert(c *call) (string, resource.PropertyMap, error) {
	if c.preview {
		return "", tlsPreview("certPem", "validityStartTime", "validityEndTime", "keyAlgorithm"), nil
	}
	key, alg, err := parsePrivateKey(str(c.in, "privateKeyPem"))
	if err != nil {
		return "", nil, err
	}
	tmpl, err := certTemplate(c.in)
	if err != nil {
		return "", nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return "", nil, fmt.Errorf("self-signed certificate: %w", err)
	}
	outs := certOutputs(der, tmpl)
	outs["keyAlgorithm"] = strProp(alg)
	return tmpl.SerialNumber.String(), outs, nil
}

func tlsCertRequest(c *call) (string, resource.PropertyMap, error) {
	if c.preview {
		return "", tlsPreview("certRequestPem", "keyAlgorithm"), nil
	}
	key, alg, err := parsePrivateKey(str(c.in, "privateKeyPem"))
	if err != nil {
		return "", nil, err
	}
	ips, err := parseIPs(strs(c.in, "ipAddresses"))
	if err != nil {
		return "", nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: subjectOf(c.in), DNSNames: strs(c.in, "dnsNames"), IPAddresses: ips,
	}, key)
	if err != nil {
		return "", nil, fmt.Errorf("certificate request: %w", err)
	}
	sum := sha1.Sum(der)
	return hex.EncodeToString(sum[:]), resource.PropertyMap{
		"certRequestPem": strProp(pemString("CERTIFICATE REQUEST", der)),
		"keyAlgorithm":   strProp(alg),
	}, nil
}

func tlsLocallySignedCert(c *call) (string, resource.PropertyMap, error) {
	if c.preview {
		return "", tlsPreview("certPem", "validityStartTime", "validityEndTime", "caKeyAlgorithm"), nil
	}
	caKey, alg, err := parsePrivateKey(str(c.in, "caPrivateKeyPem"))
	if err != nil {
		return "", nil, fmt.Errorf("ca: %w", err)
	}
	caBlock, _ := pem.Decode([]byte(str(c.in, "caCertPem")))
	if caBlock == nil {
		return "", nil, errors.New("caCertPem: no PEM block found")
	}
	caCert, err := x509.ParseCertificate(caBlock.Bytes)
	if err != nil {
		return "", nil, fmt.Errorf("caCertPem: %w", err)
	}
	csrBlock, _ := pem.Decode([]byte(str(c.in, "certRequestPem")))
	if csrBlock == nil {
		return "", nil, errors.New("certRequestPem: no PEM block found")
	}
	csr, err := x509.ParseCertificateRequest(csrBlock.Bytes)
	if err != nil {
		return "", nil, fmt.Errorf("certRequestPem: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return "", nil, fmt.Errorf("certRequestPem: %w", err)
	}
	tmpl, err := certTemplate(c.in)
	if err != nil {
		return "", nil, err
	}
	tmpl.Subject, tmpl.DNSNames, tmpl.IPAddresses = csr.Subject, csr.DNSNames, csr.IPAddresses
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, csr.PublicKey, caKey)
	if err != nil {
		return "", nil, fmt.Errorf("locally signed certificate: %w", err)
	}
	outs := certOutputs(der, tmpl)
	outs["caKeyAlgorithm"] = strProp(alg)
	return tmpl.SerialNumber.String(), outs, nil
}
