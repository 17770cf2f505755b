package fakeproviders

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// edgeKinds: ELBv2, ACM, Route 53. ForceNew facts from terraform-provider-aws
// (aws_lb, aws_lb_target_group, aws_lb_listener, aws_acm_certificate*, aws_route53_record).
func edgeKinds() map[string]*kind {
	return map[string]*kind{
		"aws:lb/loadBalancer:LoadBalancer": {
			autoname:    "name",
			autonameMax: 32,
			uniqueName:  true,
			replaceOn:   []string{"name", "namePrefix", "internal", "loadBalancerType"},
			replaceIf:   nlbSecurityGroupsReplace,
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				lbType := str(c.in, "loadBalancerType")
				if lbType == "" {
					lbType = "application"
				}
				short, zone := "app", "Z35SXDOTRQ7X7K"
				if lbType == "network" {
					short, zone = "net", "Z26RNL4JYFTOTI"
				}
				name, suffix := str(c.in, "name"), c.hex(16, "lb")
				arnSuffix := short + "/" + name + "/" + suffix
				arn := c.arn("elasticloadbalancing", "loadbalancer/"+arnSuffix)
				return arn, resource.PropertyMap{
					"arn":              strProp(arn),
					"arnSuffix":        strProp(arnSuffix),
					"dnsName":          strProp(fmt.Sprintf("%s-%s.elb.%s.amazonaws.com", name, suffix, c.region)),
					"zoneId":           strProp(zone),
					"loadBalancerType": strProp(lbType),
					"internal":         resource.NewBoolProperty(false),
					"ipAddressType":    strProp("ipv4"),
					"vpcId":            strProp("vpc-" + c.hex(17, "vpc")),
				}, nil
			},
		},
		"aws:lb/targetGroup:TargetGroup": {
			autoname:    "name",
			autonameMax: 32,
			uniqueName:  true,
			replaceOn: []string{"name", "namePrefix", "port", "protocol", "protocolVersion",
				"targetType", "vpcId", "ipAddressType"},
			validate: func(in resource.PropertyMap) []*pulumirpc.CheckFailure {
				if str(in, "targetType") == "lambda" {
					return nil
				}
				return nonNil(requireUnless(in, "port"), requireUnless(in, "protocol"), requireUnless(in, "vpcId"))
			},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				arnSuffix := "targetgroup/" + str(c.in, "name") + "/" + c.hex(16, "tg")
				arn := c.arn("elasticloadbalancing", arnSuffix)
				return arn, resource.PropertyMap{
					"arn":                 strProp(arn),
					"arnSuffix":           strProp(arnSuffix),
					"targetType":          strProp("instance"),
					"loadBalancerArns":    strArray(),
					"deregistrationDelay": strProp("300"),
				}, nil
			},
		},
		"aws:lb/listener:Listener": {
			required:  []string{"loadBalancerArn", "defaultActions"},
			replaceOn: []string{"loadBalancerArn"},
			apply: func(in resource.PropertyMap) error {
				switch str(in, "protocol") {
				case "TLS", "HTTPS":
					if absent(in, "certificateArn") {
						return errors.New("CertificateNotFound: a certificate must be specified for " + str(in, "protocol") + " listeners")
					}
				}
				return nil
			},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				lb := str(c.in, "loadBalancerArn")
				arn := strings.Replace(lb, ":loadbalancer/", ":listener/", 1) + "/" + c.hex(16, "listener")
				return arn, resource.PropertyMap{"arn": strProp(arn)}, nil
			},
		},
		"aws:acm/certificate:Certificate": acmCertificate(),
		"aws:acm/certificateValidation:CertificateValidation": {
			required:  []string{"certificateArn"},
			replaceOn: []string{"certificateArn", "validationRecordFqdns"},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				return "2025-01-01 00:00:00 +0000 UTC", nil, nil
			},
		},
		"aws:route53/record:Record": {
			required:  []string{"name", "type", "zoneId"},
			replaceOn: []string{"name", "zoneId", "setIdentifier"},
			validate: func(in resource.PropertyMap) []*pulumirpc.CheckFailure {
				return nonNil(requireUnless(in, "records", "aliases"))
			},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				name := strings.TrimSuffix(str(c.in, "name"), ".")
				return strings.Join([]string{str(c.in, "zoneId"), name, str(c.in, "type")}, "_"),
					resource.PropertyMap{"fqdn": strProp(name)}, nil
			},
		},
	}
}

// nlbSecurityGroupsReplace: an NLB's security groups can be changed in place, but adding
// them to an NLB created without any (or removing all) replaces it.
func nlbSecurityGroupsReplace(olds, news resource.PropertyMap) []string {
	if str(news, "loadBalancerType") != "network" || unknown(news, "securityGroups") {
		return nil
	}
	if absent(olds, "securityGroups") != absent(news, "securityGroups") {
		return []string{"securityGroups"}
	}
	return nil
}

func acmCertificate() *kind {
	return &kind{
		replaceOn: []string{"domainName", "subjectAlternativeNames", "keyAlgorithm",
			"certificateAuthorityArn", "validationMethod"},
		secretOutputs: []string{"privateKey"},
		validate: func(in resource.PropertyMap) []*pulumirpc.CheckFailure {
			if !absent(in, "privateKey") || unknown(in, "privateKey") {
				return nonNil(requireUnless(in, "certificateBody"))
			}
			return nonNil(requireUnless(in, "domainName"))
		},
		apply: func(in resource.PropertyMap) error {
			if absent(in, "privateKey") && absent(in, "certificateAuthorityArn") && absent(in, "validationMethod") {
				return errors.New("ValidationException: validation_method is required to request a certificate")
			}
			return nil
		},
		outputs: func(c *call) (string, resource.PropertyMap, error) {
			arn := c.arn("acm", "certificate/"+uuidFrom(c.hex(32, "cert")))
			outs := resource.PropertyMap{
				"arn":                     strProp(arn),
				"status":                  strProp("ISSUED"),
				"type":                    strProp("IMPORTED"),
				"domainValidationOptions": resource.NewArrayProperty(nil),
				"notBefore":               strProp("2025-01-01T00:00:00Z"),
				"notAfter":                strProp("2026-01-01T00:00:00Z"),
				"keyAlgorithm":            strProp("EC_prime256v1"),
			}
			if absent(c.in, "privateKey") {
				outs["type"] = strProp("AMAZON_ISSUED")
				outs["status"] = strProp("PENDING_VALIDATION")
				var opts []resource.PropertyValue
				for _, domain := range append([]string{str(c.in, "domainName")}, strs(c.in, "subjectAlternativeNames")...) {
					opts = append(opts, resource.NewObjectProperty(resource.PropertyMap{
						"domainName":          strProp(domain),
						"resourceRecordName":  strProp("_" + hashOf(c.urn, domain)[:32] + "." + domain + "."),
						"resourceRecordType":  strProp("CNAME"),
						"resourceRecordValue": strProp("_" + hashOf(domain, c.urn)[:32] + ".acm-validations.aws."),
					}))
				}
				outs["domainValidationOptions"] = resource.NewArrayProperty(opts)
			}
			return arn, outs, nil
		},
	}
}
