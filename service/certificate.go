package service

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// certificateMode is how the listener gets its server certificate.
type certificateMode int

const (
	// certificateProvided: the caller's ACM certificate ARN, used as is.
	certificateProvided certificateMode = iota
	// certificateDNSValidated: an ACM certificate for DomainName, validated
	// through Route 53 records in HostedZoneID, plus an alias to the NLB.
	certificateDNSValidated
	// certificatePrivateCA: an in-stack CA signs a certificate for the NLB's
	// DNS name; clients trust the CA certificate the stack outputs.
	certificatePrivateCA
)

// certificateModeOf picks the mode and rejects combinations that mix modes.
func certificateModeOf(t TLSArgs) (certificateMode, error) {
	switch {
	case t.CertificateArn != "" && (t.DomainName != "" || t.HostedZoneID != ""):
		return 0, errors.New("tls: set either a certificate ARN or a domain name with a hosted zone, not both")
	case t.CertificateArn != "":
		return certificateProvided, nil
	case t.DomainName != "" && t.HostedZoneID == "":
		return 0, fmt.Errorf("tls: domain name %q needs the Route 53 hosted zone id to validate it in", t.DomainName)
	case t.HostedZoneID != "" && t.DomainName == "":
		return 0, errors.New("tls: a hosted zone id needs a domain name")
	case t.DomainName != "":
		return certificateDNSValidated, nil
	default:
		return certificatePrivateCA, nil
	}
}

// serverCertificate is what the listener and the service outputs need.
type serverCertificate struct {
	// Arn is safe to put on the listener: in DNS mode it resolves only once
	// ACM has issued the certificate.
	Arn pulumi.StringOutput
	// Host is the name the certificate is valid for and clients dial.
	Host pulumi.StringOutput
	// CACertificatePem is "" except in private-CA mode.
	CACertificatePem pulumi.StringOutput
}

// newServerCertificate provides the listener's certificate in the mode the
// TLS args select. It needs the NLB for its DNS name (private CA) or alias
// target (DNS mode), so the order is NLB, certificate, listener.
func newServerCertificate(ctx *pulumi.Context, name string, t TLSArgs, nlb *lb.LoadBalancer,
	tags map[string]string, opts []pulumi.ResourceOption) (*serverCertificate, error) {
	mode, err := certificateModeOf(t)
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	switch mode {
	case certificateProvided:
		// The caller owns DNS for this certificate; the NLB name is the
		// only address this stack knows to be reachable.
		return &serverCertificate{
			Arn:              pulumi.String(t.CertificateArn).ToStringOutput(),
			Host:             nlb.DnsName,
			CACertificatePem: pulumi.String("").ToStringOutput(),
		}, nil
	case certificateDNSValidated:
		return newDNSValidatedCertificate(ctx, name, t, nlb, tags, opts)
	default:
		return newPrivateCACertificate(ctx, name, nlb, tags, opts)
	}
}
