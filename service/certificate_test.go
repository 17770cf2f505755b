package service

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
)

// edgeTestTLSModes are the three certificate modes, keyed by a test name.
func edgeTestTLSModes() map[string]TLSArgs {
	return map[string]TLSArgs{
		"provided":   {CertificateArn: edgeTestCertificate},
		"dns":        {DomainName: edgeTestDomain, HostedZoneID: edgeTestHostedZoneID},
		"private CA": {},
	}
}

func TestCertificateModeOf(t *testing.T) {
	tests := []struct {
		name    string
		tls     TLSArgs
		want    certificateMode
		wantErr bool
	}{
		{"nothing set", TLSArgs{}, certificatePrivateCA, false},
		{"certificate ARN", TLSArgs{CertificateArn: edgeTestCertificate}, certificateProvided, false},
		{"domain and zone", TLSArgs{DomainName: edgeTestDomain, HostedZoneID: edgeTestHostedZoneID}, certificateDNSValidated, false},
		{"domain only", TLSArgs{DomainName: edgeTestDomain}, 0, true},
		{"zone only", TLSArgs{HostedZoneID: edgeTestHostedZoneID}, 0, true},
		{"ARN and domain", TLSArgs{CertificateArn: edgeTestCertificate, DomainName: edgeTestDomain}, 0, true},
		{"ARN and zone", TLSArgs{CertificateArn: edgeTestCertificate, HostedZoneID: edgeTestHostedZoneID}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := certificateModeOf(tt.tls)
			if (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
				t.Errorf("certificateModeOf(%+v) = %v, %v; want %v, error %v", tt.tls, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestCertificateModesCreateTheirResources checks, per mode, which
// certificate resources exist, which ARN the listener serves, the endpoint
// host and the CA PEM output.
func TestCertificateModesCreateTheirResources(t *testing.T) {
	certTypes := []string{
		"aws:acm/certificate:Certificate",
		"aws:acm/certificateValidation:CertificateValidation",
		"aws:route53/record:Record",
		"tls:index/privateKey:PrivateKey",
		"tls:index/selfSignedCert:SelfSignedCert",
		"tls:index/certRequest:CertRequest",
		"tls:index/locallySignedCert:LocallySignedCert",
	}
	tests := []struct {
		mode      string
		wantCount []int // per certTypes
		// wantListenerCert names the certificate the listener must serve.
		wantListenerCert func(*pulumimock.Mocks) any
		wantHost         func(nlbDNS string) string
		wantCA           bool
	}{
		{"provided", []int{0, 0, 0, 0, 0, 0, 0},
			func(*pulumimock.Mocks) any { return edgeTestCertificate },
			func(dns string) string { return dns }, false},
		{"dns", []int{1, 1, 2, 0, 0, 0, 0},
			func(m *pulumimock.Mocks) any {
				return svcOutput(edgeOneOf(m, "aws:acm/certificateValidation:CertificateValidation"), "certificateArn")
			},
			func(string) string { return edgeTestDomain }, false},
		{"private CA", []int{1, 0, 0, 2, 1, 1, 1},
			func(m *pulumimock.Mocks) any {
				return svcOutput(edgeOneOf(m, "aws:acm/certificate:Certificate"), "arn")
			},
			func(dns string) string { return dns }, true},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			run := mustRunEdge(t, edgeTestArgs(func(a *edgeArgs) { a.TLS = edgeTestTLSModes()[tt.mode] }))
			for i, typ := range certTypes {
				if got := len(run.mocks.OfType(typ)); got != tt.wantCount[i] {
					t.Errorf("%d x %s, want %d", got, typ, tt.wantCount[i])
				}
			}
			listener := oneOf(t, run.mocks, "aws:lb/listener:Listener")
			want := tt.wantListenerCert(run.mocks)
			if got := svcInput(listener, "certificateArn"); got == nil || got != want {
				t.Errorf("listener certificateArn = %v, want %v", got, want)
			}
			nlbDNS := svcOutput(oneOf(t, run.mocks, "aws:lb/loadBalancer:LoadBalancer"), "dnsName").(string)
			if want := tt.wantHost(nlbDNS); run.host != want || run.endpoint != want+":443" {
				t.Errorf("host %q endpoint %q, want %q and %q", run.host, run.endpoint, want, want+":443")
			}
			if tt.wantCA {
				ca := oneOf(t, run.mocks, "tls:index/selfSignedCert:SelfSignedCert")
				if run.caPem == "" || run.caPem != svcOutput(ca, "certPem") {
					t.Errorf("CA PEM output = %q, want the CA certificate %q", run.caPem, svcOutput(ca, "certPem"))
				}
				if run.caSecret {
					t.Error("CA PEM output is a secret; it is public and clients need it in plain text")
				}
			} else if run.caPem != "" {
				t.Errorf("CA PEM output = %q outside private-CA mode, want empty", run.caPem)
			}
		})
	}
}

func TestCertificateDNSValidationAndAlias(t *testing.T) {
	run := mustRunEdge(t, edgeTestArgs(func(a *edgeArgs) { a.TLS = edgeTestTLSModes()["dns"] }))
	m := run.mocks
	cert := oneOf(t, m, "aws:acm/certificate:Certificate")
	if svcInput(cert, "domainName") != edgeTestDomain || svcInput(cert, "validationMethod") != "DNS" {
		t.Errorf("certificate request = %v, want DNS validation for %s", pulumimock.PlainMap(cert.Inputs), edgeTestDomain)
	}
	if _, set := cert.Inputs["privateKey"]; set {
		t.Error("an ACM-issued certificate must not carry a private key")
	}

	options, _ := svcOutput(cert, "domainValidationOptions").([]any)
	if len(options) != 1 {
		t.Fatalf("mock returned %d validation options, want 1", len(options))
	}
	option := options[0].(map[string]any)
	var validationRecord, alias *pulumimock.Resource
	for _, r := range m.OfType("aws:route53/record:Record") {
		if svcInput(r, "zoneId") != edgeTestHostedZoneID {
			t.Errorf("record %s in zone %v, want %s", r.Name, svcInput(r, "zoneId"), edgeTestHostedZoneID)
		}
		switch svcInput(r, "type") {
		case "A":
			alias = &r
		default:
			validationRecord = &r
		}
	}
	if validationRecord == nil || alias == nil {
		t.Fatalf("want one validation record and one alias, got validation %v alias %v", validationRecord, alias)
	}
	expectInputs(t, "validation record", *validationRecord, map[string]any{
		"name": option["resourceRecordName"],
		"type": option["resourceRecordType"],
		"ttl":  float64(60),
	})
	if got := edgeStrings(svcInput(*validationRecord, "records")); !slices.Equal(got, []string{option["resourceRecordValue"].(string)}) {
		t.Errorf("validation record values = %v, want [%v]", got, option["resourceRecordValue"])
	}

	validation := oneOf(t, m, "aws:acm/certificateValidation:CertificateValidation")
	if svcInput(validation, "certificateArn") != svcOutput(cert, "arn") {
		t.Errorf("validation is for %v, want %v", svcInput(validation, "certificateArn"), svcOutput(cert, "arn"))
	}
	if got := edgeStrings(svcInput(validation, "validationRecordFqdns")); !slices.Equal(got, []string{svcOutput(*validationRecord, "fqdn").(string)}) {
		t.Errorf("validation waits for %v, want the validation record's fqdn", got)
	}

	nlb := oneOf(t, m, "aws:lb/loadBalancer:LoadBalancer")
	if svcInput(*alias, "name") != edgeTestDomain {
		t.Errorf("alias name = %v, want %s", svcInput(*alias, "name"), edgeTestDomain)
	}
	aliases, _ := svcInput(*alias, "aliases").([]any)
	wantAlias := map[string]any{"name": svcOutput(nlb, "dnsName"), "zoneId": svcOutput(nlb, "zoneId"), "evaluateTargetHealth": true}
	if len(aliases) != 1 || !edgeMapsEqual(aliases[0].(map[string]any), wantAlias) {
		t.Errorf("alias targets = %v, want [%v]", aliases, wantAlias)
	}
}

func TestCertificatePrivateCAChain(t *testing.T) {
	run := mustRunEdge(t, edgeTestArgs(nil))
	m := run.mocks
	nlb := oneOf(t, m, "aws:lb/loadBalancer:LoadBalancer")
	caKey := edgeNamed(t, m, "tls:index/privateKey:PrivateKey", "svc-ca-key")
	serverKey := edgeNamed(t, m, "tls:index/privateKey:PrivateKey", "svc-server-key")
	ca := oneOf(t, m, "tls:index/selfSignedCert:SelfSignedCert")
	csr := oneOf(t, m, "tls:index/certRequest:CertRequest")
	serverCert := oneOf(t, m, "tls:index/locallySignedCert:LocallySignedCert")
	imported := oneOf(t, m, "aws:acm/certificate:Certificate")

	for _, key := range []pulumimock.Resource{caKey, serverKey} {
		if svcInput(key, "algorithm") != "ECDSA" || svcInput(key, "ecdsaCurve") != "P256" {
			t.Errorf("key %s = %v, want ECDSA P256", key.Name, pulumimock.PlainMap(key.Inputs))
		}
	}
	if svcInput(ca, "privateKeyPem") != svcOutput(caKey, "privateKeyPem") || svcInput(ca, "isCaCertificate") != true ||
		!slices.Contains(edgeStrings(svcInput(ca, "allowedUses")), "cert_signing") {
		t.Errorf("CA = %v, want a CA certificate for the CA key allowed to sign certificates", pulumimock.PlainMap(ca.Inputs))
	}
	if got := edgeStrings(svcInput(csr, "dnsNames")); !slices.Equal(got, []string{svcOutput(nlb, "dnsName").(string)}) {
		t.Errorf("server certificate names %v, want the NLB's DNS name", got)
	}
	if svcInput(csr, "privateKeyPem") != svcOutput(serverKey, "privateKeyPem") {
		t.Error("certificate request is not for the server key")
	}
	expectInputs(t, "server certificate", serverCert, map[string]any{
		"certRequestPem":  svcOutput(csr, "certRequestPem"),
		"caCertPem":       svcOutput(ca, "certPem"),
		"caPrivateKeyPem": svcOutput(caKey, "privateKeyPem"),
	})
	if !slices.Contains(edgeStrings(svcInput(serverCert, "allowedUses")), "server_auth") {
		t.Errorf("server certificate uses = %v, want server_auth", svcInput(serverCert, "allowedUses"))
	}
	for _, r := range []pulumimock.Resource{ca, serverCert} {
		validity, _ := svcInput(r, "validityPeriodHours").(float64)
		early, _ := svcInput(r, "earlyRenewalHours").(float64)
		if validity <= 0 || early <= 0 || early >= validity {
			t.Errorf("%s validity %vh early renewal %vh, want 0 < early renewal < validity", r.Name, validity, early)
		}
	}
	expectInputs(t, "ACM import", imported, map[string]any{
		"privateKey":       svcOutput(serverKey, "privateKeyPem"),
		"certificateBody":  svcOutput(serverCert, "certPem"),
		"certificateChain": svcOutput(ca, "certPem"),
	})
}

// TestCertificatePrivateKeysStaySecret looks for each private key's PEM in
// every input and output of every resource: wherever it appears, it must be
// inside a secret.
func TestCertificatePrivateKeysStaySecret(t *testing.T) {
	run := mustRunEdge(t, edgeTestArgs(nil))
	keys := run.mocks.OfType("tls:index/privateKey:PrivateKey")
	if len(keys) != 2 {
		t.Fatalf("%d private keys, want 2", len(keys))
	}
	for _, key := range keys {
		pem, _ := svcOutput(key, "privateKeyPem").(string)
		if !strings.Contains(pem, "PRIVATE KEY") {
			t.Fatalf("key %s has no PEM output: %q", key.Name, pem)
		}
		seen := 0
		for _, r := range run.mocks.Resources() {
			for where, props := range map[string]resource.PropertyMap{"input": r.Inputs, "output": r.Outputs} {
				for prop, v := range props {
					plain, secret := edgeFindString(v, pem, false)
					seen += plain + secret
					if plain > 0 {
						t.Errorf("%s's PEM appears in plain text in %s %s %s.%s", key.Name, r.Type, r.Name, where, prop)
					}
				}
			}
		}
		if seen < 3 { // the key's own output plus at least two consumers
			t.Errorf("%s's PEM found %d times; the scan is not looking in the right places", key.Name, seen)
		}
	}
	if run.caSecret || run.caPem == "" {
		t.Errorf("CA PEM output %q secret=%v, want a plain, non-empty certificate", run.caPem, run.caSecret)
	}
}

// edgeFindString counts occurrences of s in v, split into plain and secret ones.
func edgeFindString(v resource.PropertyValue, s string, inSecret bool) (plain, secret int) {
	add := func(p, q int) { plain, secret = plain+p, secret+q }
	switch {
	case v.IsSecret():
		add(edgeFindString(v.SecretValue().Element, s, true))
	case v.IsOutput():
		add(edgeFindString(v.OutputValue().Element, s, inSecret || v.OutputValue().Secret))
	case v.IsArray():
		for _, e := range v.ArrayValue() {
			add(edgeFindString(e, s, inSecret))
		}
	case v.IsObject():
		for _, e := range v.ObjectValue() {
			add(edgeFindString(e, s, inSecret))
		}
	case v.IsString() && strings.Contains(v.StringValue(), s):
		if inSecret {
			return 0, 1
		}
		return 1, 0
	}
	return plain, secret
}

func edgeOneOf(m *pulumimock.Mocks, typ string) pulumimock.Resource {
	r, _ := m.One(typ)
	return r
}

func edgeNamed(t *testing.T, m *pulumimock.Mocks, typ, name string) pulumimock.Resource {
	t.Helper()
	r, ok := m.Named(typ, name)
	if !ok {
		t.Fatalf("no %s named %s", typ, name)
	}
	return r
}

func edgeMapsEqual(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
