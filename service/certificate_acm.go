package service

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// certificateValidationRecordTTL is short so a re-validation after a change
// is not held up by cached answers.
const certificateValidationRecordTTL = 60

// newDNSValidatedCertificate requests an ACM certificate for the domain,
// proves control through a CNAME in the hosted zone, waits for issuance and
// points the domain at the NLB with an alias record.
func newDNSValidatedCertificate(ctx *pulumi.Context, name string, t TLSArgs, nlb *lb.LoadBalancer,
	tags map[string]string, opts []pulumi.ResourceOption) (*serverCertificate, error) {
	cert, err := acm.NewCertificate(ctx, name+"-cert", &acm.CertificateArgs{
		DomainName:       pulumi.String(t.DomainName),
		ValidationMethod: pulumi.String("DNS"),
		Tags:             pulumi.ToStringMap(tags),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("certificate: request for %s: %w", t.DomainName, err)
	}

	// ACM returns one validation option per name on the certificate. The
	// only name is the domain, known up front, so its record is declared
	// here rather than inside an apply, and preview shows it.
	option := validationOptionFor(cert, t.DomainName)
	record, err := route53.NewRecord(ctx, name+"-cert-validation-record", &route53.RecordArgs{
		ZoneId:  pulumi.String(t.HostedZoneID),
		Name:    option.ResourceRecordName().Elem(),
		Type:    option.ResourceRecordType().Elem(),
		Records: pulumi.StringArray{option.ResourceRecordValue().Elem()},
		Ttl:     pulumi.Int(certificateValidationRecordTTL),
		// The validation CNAME is the same for every certificate of this
		// domain in the account; a replacement certificate must be able to
		// take over the record its predecessor created.
		AllowOverwrite: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("certificate: validation record for %s: %w", t.DomainName, err)
	}

	validation, err := acm.NewCertificateValidation(ctx, name+"-cert-validation", &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: pulumi.StringArray{record.Fqdn},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("certificate: validation of %s: %w", t.DomainName, err)
	}

	alias, err := route53.NewRecord(ctx, name+"-alias", &route53.RecordArgs{
		ZoneId: pulumi.String(t.HostedZoneID),
		Name:   pulumi.String(t.DomainName),
		Type:   pulumi.String("A"),
		Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
			Name:   nlb.DnsName,
			ZoneId: nlb.ZoneId,
			// Route 53 stops answering with an NLB zone that has no healthy targets.
			EvaluateTargetHealth: pulumi.Bool(true),
		}},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("certificate: alias record %s: %w", t.DomainName, err)
	}

	domain := t.DomainName
	return &serverCertificate{
		// The validation's ARN resolves only after issuance, so the listener
		// never references a certificate that is still pending.
		Arn: validation.CertificateArn,
		// The configured name, but only once the alias record exists.
		Host:             alias.Fqdn.ApplyT(func(string) string { return domain }).(pulumi.StringOutput),
		CACertificatePem: pulumi.String("").ToStringOutput(),
	}, nil
}

// validationOptionFor picks the DNS validation option ACM returned for one
// domain; an error surfaces at deploy time if ACM returned none for it.
func validationOptionFor(cert *acm.Certificate, domain string) acm.CertificateDomainValidationOptionOutput {
	return cert.DomainValidationOptions.ApplyT(
		func(options []acm.CertificateDomainValidationOption) (acm.CertificateDomainValidationOption, error) {
			for _, o := range options {
				if o.DomainName != nil && strings.EqualFold(strings.TrimSuffix(*o.DomainName, "."), strings.TrimSuffix(domain, ".")) {
					return o, nil
				}
			}
			return acm.CertificateDomainValidationOption{}, fmt.Errorf("certificate: ACM returned no DNS validation option for %s", domain)
		}).(acm.CertificateDomainValidationOptionOutput)
}
