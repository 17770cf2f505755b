package fakeproviders

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// discoveryKinds: Cloud Map. ForceNew facts from terraform-provider-aws
// (aws_service_discovery_private_dns_namespace, aws_service_discovery_service).
func discoveryKinds() map[string]*kind {
	return map[string]*kind{
		"aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": {
			required:  []string{"name", "vpc"},
			replaceOn: []string{"name", "vpc"},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				id := "ns-" + c.hex(16, "namespace")
				return id, resource.PropertyMap{
					"arn":        strProp(c.arn("servicediscovery", "namespace/"+id)),
					"hostedZone": strProp("Z" + strings.ToUpper(c.hex(20, "zone"))),
				}, nil
			},
		},
		"aws:servicediscovery/service:Service": {
			required:  []string{"name"},
			replaceOn: []string{"name", "namespaceId", "healthCheckCustomConfig"},
			replaceIf: func(olds, news resource.PropertyMap) []string {
				if dnsNamespace(olds) != dnsNamespace(news) {
					return []string{"dnsConfig"}
				}
				return nil
			},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				id := "srv-" + c.hex(16, "service")
				return id, resource.PropertyMap{
					"arn":         strProp(c.arn("servicediscovery", "service/"+id)),
					"namespaceId": strProp(dnsNamespace(c.in)),
				}, nil
			},
		},
	}
}

// dnsNamespace is dnsConfig.namespaceId, which forces replacement.
func dnsNamespace(in resource.PropertyMap) string {
	cfg, ok := in["dnsConfig"]
	if !ok || !cfg.IsObject() {
		return ""
	}
	return str(cfg.ObjectValue(), "namespaceId")
}
