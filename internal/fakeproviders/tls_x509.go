package fakeproviders

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// subjectOf reads pulumi-tls's `subject` block.
func subjectOf(in resource.PropertyMap) pkix.Name {
	v := plain(in["subject"])
	if v.IsArray() && len(v.ArrayValue()) > 0 { // older schemas model subject as a list
		v = plain(v.ArrayValue()[0])
	}
	if !v.IsObject() {
		return pkix.Name{}
	}
	s := v.ObjectValue()
	one := func(key string) []string {
		if x := str(s, key); x != "" {
			return []string{x}
		}
		return nil
	}
	return pkix.Name{
		CommonName:         str(s, "commonName"),
		Organization:       one("organization"),
		OrganizationalUnit: one("organizationalUnit"),
		Country:            one("country"),
		Province:           one("province"),
		Locality:           one("locality"),
		PostalCode:         one("postalCode"),
		StreetAddress:      strs(s, "streetAddresses"),
		SerialNumber:       str(s, "serialNumber"),
	}
}

func parseIPs(raw []string) ([]net.IP, error) {
	var ips []net.IP
	for _, s := range raw {
		ip := net.ParseIP(s)
		if ip == nil {
			return nil, fmt.Errorf("ipAddresses: %q is not an IP address", s)
		}
		ips = append(ips, ip)
	}
	return ips, nil
}

// usageOf maps a pulumi-tls allowed use to a key usage and/or extended key usage
// (-1 when there is none).
func usageOf(use string) (x509.KeyUsage, x509.ExtKeyUsage, error) {
	keyUsages := map[string]x509.KeyUsage{
		"digital_signature":  x509.KeyUsageDigitalSignature,
		"content_commitment": x509.KeyUsageContentCommitment,
		"key_encipherment":   x509.KeyUsageKeyEncipherment,
		"data_encipherment":  x509.KeyUsageDataEncipherment,
		"key_agreement":      x509.KeyUsageKeyAgreement,
		"cert_signing":       x509.KeyUsageCertSign,
		"crl_signing":        x509.KeyUsageCRLSign,
		"encipher_only":      x509.KeyUsageEncipherOnly,
		"decipher_only":      x509.KeyUsageDecipherOnly,
	}
	extUsages := map[string]x509.ExtKeyUsage{
		"any_extended":     x509.ExtKeyUsageAny,
		"server_auth":      x509.ExtKeyUsageServerAuth,
		"client_auth":      x509.ExtKeyUsageClientAuth,
		"code_signing":     x509.ExtKeyUsageCodeSigning,
		"email_protection": x509.ExtKeyUsageEmailProtection,
		"ipsec_end_system": x509.ExtKeyUsageIPSECEndSystem,
		"ipsec_tunnel":     x509.ExtKeyUsageIPSECTunnel,
		"ipsec_user":       x509.ExtKeyUsageIPSECUser,
		"timestamping":     x509.ExtKeyUsageTimeStamping,
		"ocsp_signing":     x509.ExtKeyUsageOCSPSigning,
	}
	if ku, ok := keyUsages[use]; ok {
		return ku, -1, nil
	}
	if eku, ok := extUsages[use]; ok {
		return 0, eku, nil
	}
	return 0, -1, fmt.Errorf("allowedUses: unknown use %q", use)
}
