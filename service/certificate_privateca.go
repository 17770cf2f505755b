package service

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-tls/sdk/v5/go/tls"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Private-CA lifetimes. The TLS provider treats a certificate as expired
// "early renewal" hours before its end, so the first `pulumi up` inside that
// window re-issues it: the server certificate renews in its last 60 days
// (same key, same ACM ARN, re-imported in place); the CA in its last year,
// which also re-issues the server certificate and changes the CA PEM that
// clients must fetch again.
const (
	privateCAValidityHours             = 10 * 365 * 24
	privateCAEarlyRenewalHours         = 365 * 24
	privateServerCertValidityHours     = 365 * 24
	privateServerCertEarlyRenewalHours = 60 * 24
	privateCAOrganization              = "spicedb-ecs"
	privateCertificateKeyAlgorithm     = "ECDSA"
	privateCertificateKeyEcdsaCurve    = "P256" // NLB serves ECDSA P-256 from ACM
	// certificateMaxCommonNameLength is RFC 5280's ub-common-name; NLB DNS names can be
	// longer, so they go into the SAN only (which is what clients check).
	certificateMaxCommonNameLength = 64
)

// newPrivateCACertificate creates a CA, signs a server certificate for the
// NLB's DNS name and imports it into ACM. The NLB → certificate → listener
// order has no cycle: the NLB does not need the certificate to exist.
func newPrivateCACertificate(ctx *pulumi.Context, name string, nlb *lb.LoadBalancer,
	tags map[string]string, opts []pulumi.ResourceOption) (*serverCertificate, error) {
	caKey, err := newPrivateCAKey(ctx, name+"-ca-key", opts)
	if err != nil {
		return nil, err
	}
	ca, err := tls.NewSelfSignedCert(ctx, name+"-ca", &tls.SelfSignedCertArgs{
		PrivateKeyPem:   caKey.PrivateKeyPem,
		IsCaCertificate: pulumi.Bool(true),
		// The CA signs one server certificate, never an intermediate.
		MaxPathLength:       pulumi.Int(0),
		AllowedUses:         pulumi.ToStringArray([]string{"cert_signing", "crl_signing", "digital_signature"}),
		ValidityPeriodHours: pulumi.Int(privateCAValidityHours),
		EarlyRenewalHours:   pulumi.Int(privateCAEarlyRenewalHours),
		SetSubjectKeyId:     pulumi.Bool(true),
		Subject: &tls.SelfSignedCertSubjectArgs{
			CommonName:   pulumi.String(certificateCommonName(name + " private CA")),
			Organization: pulumi.String(privateCAOrganization),
		},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("certificate: private CA: %w", err)
	}

	serverKey, err := newPrivateCAKey(ctx, name+"-server-key", opts)
	if err != nil {
		return nil, err
	}
	csr, err := tls.NewCertRequest(ctx, name+"-server-csr", &tls.CertRequestArgs{
		PrivateKeyPem: serverKey.PrivateKeyPem,
		DnsNames:      pulumi.StringArray{nlb.DnsName},
		Subject: &tls.CertRequestSubjectArgs{
			CommonName:   pulumi.String(certificateCommonName(name)),
			Organization: pulumi.String(privateCAOrganization),
		},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("certificate: server certificate request: %w", err)
	}
	serverCert, err := tls.NewLocallySignedCert(ctx, name+"-server-cert", &tls.LocallySignedCertArgs{
		CertRequestPem:      csr.CertRequestPem,
		CaPrivateKeyPem:     caKey.PrivateKeyPem,
		CaCertPem:           ca.CertPem,
		AllowedUses:         pulumi.ToStringArray([]string{"digital_signature", "server_auth"}),
		ValidityPeriodHours: pulumi.Int(privateServerCertValidityHours),
		EarlyRenewalHours:   pulumi.Int(privateServerCertEarlyRenewalHours),
		SetSubjectKeyId:     pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("certificate: server certificate: %w", err)
	}

	imported, err := acm.NewCertificate(ctx, name+"-cert", &acm.CertificateArgs{
		PrivateKey:      pulumi.ToSecret(serverKey.PrivateKeyPem).(pulumi.StringOutput),
		CertificateBody: serverCert.CertPem,
		// Clients pin the CA themselves; the chain lets tools show the path.
		CertificateChain: ca.CertPem,
		Tags:             pulumi.ToStringMap(tags),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("certificate: import into ACM: %w", err)
	}
	return &serverCertificate{
		Arn:  imported.Arn,
		Host: nlb.DnsName,
		// Not a secret: the CA certificate is what every client must be given.
		CACertificatePem: ca.CertPem,
	}, nil
}

// newPrivateCAKey generates an ECDSA P-256 key; the provider keeps the PEM secret.
func newPrivateCAKey(ctx *pulumi.Context, name string, opts []pulumi.ResourceOption) (*tls.PrivateKey, error) {
	key, err := tls.NewPrivateKey(ctx, name, &tls.PrivateKeyArgs{
		Algorithm:  pulumi.String(privateCertificateKeyAlgorithm),
		EcdsaCurve: pulumi.String(privateCertificateKeyEcdsaCurve),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("certificate: key %s: %w", name, err)
	}
	return key, nil
}

// certificateCommonName trims a subject common name to the X.509 limit.
func certificateCommonName(s string) string {
	if len(s) > certificateMaxCommonNameLength {
		return s[:certificateMaxCommonNameLength]
	}
	return s
}
