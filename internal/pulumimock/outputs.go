package pulumimock

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// computeOutputs returns the id and the state the provider would report:
// the inputs plus what the cloud computes.
func (m *Mocks) computeOutputs(r Resource) (string, resource.PropertyMap, error) {
	out := r.Inputs.Copy()
	name := physicalName(r)
	id := name + "-" + shortHash(r.URN)
	set := func(key string, v any) { out[resource.PropertyKey(key)] = resource.NewPropertyValue(v) }

	switch r.Type {
	case "awsx:ec2:Vpc":
		zones := 2
		if v := r.Inputs["numberOfAvailabilityZones"]; v.IsNumber() {
			zones = int(v.NumberValue())
		}
		var public, private []any
		for i := range zones {
			public = append(public, fmt.Sprintf("subnet-0pub%d%s", i, shortHash(r.URN)))
			private = append(private, fmt.Sprintf("subnet-0prv%d%s", i, shortHash(r.URN)))
		}
		id = "vpc-0" + shortHash(r.URN)
		set("vpcId", id)
		set("publicSubnetIds", public)
		set("privateSubnetIds", private)
	case "awsx:ecr:Image":
		repo := "unknown"
		if v := r.Inputs["repositoryUrl"]; v.IsString() {
			repo = v.StringValue()
		}
		digest := sha256.Sum256([]byte(fmt.Sprint(r.Inputs)))
		set("imageUri", repo+"@sha256:"+hex.EncodeToString(digest[:]))
	case "random:index/randomPassword:RandomPassword":
		password, err := generatePassword(r.Inputs)
		if err != nil {
			return "", nil, err
		}
		out["result"] = resource.MakeSecret(resource.NewProperty(password))
		out["bcryptHash"] = resource.MakeSecret(resource.NewProperty("$2a$10$mock"))
		id = "none"
	case "tls:index/privateKey:PrivateKey":
		out["privateKeyPem"] = resource.MakeSecret(resource.NewProperty(pem("PRIVATE KEY", r.URN)))
		out["privateKeyOpenssh"] = resource.MakeSecret(resource.NewProperty("mock-openssh " + r.URN))
		set("publicKeyPem", pem("PUBLIC KEY", r.URN))
	case "tls:index/selfSignedCert:SelfSignedCert", "tls:index/locallySignedCert:LocallySignedCert":
		set("certPem", pem("CERTIFICATE", r.URN))
		set("validityStartTime", "2026-01-01T00:00:00Z")
		set("validityEndTime", "2036-01-01T00:00:00Z")
	case "tls:index/certRequest:CertRequest":
		set("certRequestPem", pem("CERTIFICATE REQUEST", r.URN))
	case "command:local:Command":
		set("stdout", "")
		set("stderr", "")
	default:
		if strings.HasPrefix(r.Type, "aws:") && r.Custom {
			id = m.awsOutputs(r, name, id, set)
		}
	}
	return id, out, nil
}

// awsOutputs fills in what AWS computes for the classic resources we use.
func (m *Mocks) awsOutputs(r Resource, name, id string, set func(string, any)) string {
	svc := module(r.Type)
	kind := strings.SplitN(strings.SplitN(r.Type, ":", 3)[1], "/", 2)[1]
	arn := m.arn(svc, kind+"/"+name)
	switch r.Type {
	case "aws:secretsmanager/secret:Secret":
		arn = m.arn("secretsmanager", "secret:"+name+"-AbCdEf")
		id = arn
	case "aws:secretsmanager/secretVersion:SecretVersion":
		id = stringInput(r, "secretId") + "|v1"
		set("versionId", "v1-"+shortHash(r.URN))
	case "aws:ecs/taskDefinition:TaskDefinition":
		family := stringInput(r, "family")
		arn = m.arn("ecs", "task-definition/"+family+":1")
		set("revision", 1)
		set("arnWithoutRevision", m.arn("ecs", "task-definition/"+family))
		id = family
	case "aws:ecs/cluster:Cluster":
		arn = m.arn("ecs", "cluster/"+name)
		id = arn
	case "aws:ecs/service:Service":
		arn = m.arn("ecs", "service/"+name)
		id = arn
	case "aws:rds/instance:Instance":
		host := name + ".c0abcdefghij." + m.Region + ".rds.amazonaws.com"
		set("address", host)
		set("endpoint", host+":5432")
		set("port", 5432)
		set("hostedZoneId", "Z2R2ITUGPM61AM")
		set("resourceId", "db-"+strings.ToUpper(shortHash(r.URN)))
		arn = fmt.Sprintf("arn:aws:rds:%s:%s:db:%s", m.Region, m.AccountID, name)
	case "aws:lb/loadBalancer:LoadBalancer":
		set("dnsName", name+"-"+shortHash(r.URN)+".elb."+m.Region+".amazonaws.com")
		set("zoneId", "Z26RNL4JYFTOTI")
		set("arnSuffix", "net/"+name+"/"+shortHash(r.URN))
		arn = m.arn("elasticloadbalancing", "loadbalancer/net/"+name+"/"+shortHash(r.URN))
		id = arn
	case "aws:lb/targetGroup:TargetGroup":
		set("arnSuffix", "targetgroup/"+name+"/"+shortHash(r.URN))
		arn = m.arn("elasticloadbalancing", "targetgroup/"+name+"/"+shortHash(r.URN))
		id = arn
	case "aws:lb/listener:Listener":
		arn = m.arn("elasticloadbalancing", "listener/net/"+name+"/"+shortHash(r.URN))
		id = arn
	case "aws:ecr/repository:Repository":
		set("repositoryUrl", fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", m.AccountID, m.Region, name))
		set("registryId", m.AccountID)
		id = name
	case "aws:ec2/securityGroup:SecurityGroup":
		id = "sg-0" + shortHash(r.URN)
	case "aws:iam/role:Role":
		arn = fmt.Sprintf("arn:aws:iam::%s:role/%s", m.AccountID, name)
		set("uniqueId", "AROA"+strings.ToUpper(shortHash(r.URN)))
		id = name
	case "aws:cloudwatch/logGroup:LogGroup":
		arn = m.arn("logs", "log-group:"+name)
		id = name
	case "aws:acm/certificate:Certificate":
		arn = m.arn("acm", "certificate/"+shortHash(r.URN))
		id = arn
		domain := stringInput(r, "domainName")
		set("domainValidationOptions", []any{map[string]any{
			"domainName":          domain,
			"resourceRecordName":  "_" + shortHash(r.URN) + "." + domain + ".",
			"resourceRecordType":  "CNAME",
			"resourceRecordValue": "_" + shortHash(r.URN+"v") + ".acm-validations.aws.",
		}})
	case "aws:route53/record:Record":
		set("fqdn", stringInput(r, "name"))
	}
	if _, ok := r.Inputs["name"]; !ok {
		set("name", name)
	}
	set("arn", arn)
	set("id", id)
	return id
}

// physicalName is the name input if the program set one, else the logical name.
func physicalName(r Resource) string {
	if v := r.Inputs["name"]; v.IsString() && v.StringValue() != "" {
		return v.StringValue()
	}
	return r.Name
}

func stringInput(r Resource, key string) string {
	v := r.Inputs[resource.PropertyKey(key)]
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:10]
}

func pem(kind, seed string) string {
	return "-----BEGIN " + kind + "-----\nbW9jay" + shortHash(seed) + "\n-----END " + kind + "-----\n"
}

// generatePassword honours the RandomPassword inputs the way the provider does.
func generatePassword(in resource.PropertyMap) (string, error) {
	length := 16
	if v := in["length"]; v.IsNumber() {
		length = int(v.NumberValue())
	}
	enabled := func(key string) bool {
		v, ok := in[resource.PropertyKey(key)]
		return !ok || !v.IsBool() || v.BoolValue()
	}
	var alphabet string
	if enabled("lower") {
		alphabet += "abcdefghijklmnopqrstuvwxyz"
	}
	if enabled("upper") {
		alphabet += "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	}
	if enabled("numeric") {
		alphabet += "0123456789"
	}
	if enabled("special") {
		special := "!@#$%&*()-_=+[]{}<>:?"
		if v := in["overrideSpecial"]; v.IsString() {
			special = v.StringValue()
		}
		alphabet += special
	}
	if alphabet == "" || length < 1 {
		return "", fmt.Errorf("random password: empty alphabet or length %d", length)
	}
	out := make([]byte, length)
	for i := range out {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", err
		}
		out[i] = alphabet[n.Int64()]
	}
	return string(out), nil
}
