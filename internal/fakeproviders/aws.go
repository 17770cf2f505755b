package fakeproviders

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// AWSVersion is the pulumi-aws version the fake reports.
const AWSVersion = "6.83.4"

// defaultDescription is what pulumi-aws puts in description fields left unset.
const defaultDescription = "Managed by Pulumi"

func newAWS(c *Cloud) *fakeProvider {
	p := newFakeProvider(c, "aws", AWSVersion)
	for _, table := range []map[string]*kind{networkKinds(), dataKinds(), computeKinds(), edgeKinds(), discoveryKinds()} {
		for typ, k := range table {
			p.kinds[typ] = k
		}
	}
	p.invokes = map[string]invokeFunc{
		"aws:index/getRegion:getRegion":                       getRegion,
		"aws:index/getCallerIdentity:getCallerIdentity":       getCallerIdentity,
		"aws:index/getPartition:getPartition":                 getPartition,
		"aws:index/getAvailabilityZones:getAvailabilityZones": getAvailabilityZones,
		"aws:ec2/getVpc:getVpc":                               getVpc,
		"aws:ec2/getRouteTables:getRouteTables":               getRouteTables,
	}
	return p
}

func getRegion(_ *Cloud, region string, args resource.PropertyMap) (resource.PropertyMap, error) {
	if r := str(args, "name"); r != "" {
		region = r
	}
	return resource.PropertyMap{
		"id":          strProp(region),
		"name":        strProp(region),
		"region":      strProp(region),
		"endpoint":    strProp("ec2." + region + ".amazonaws.com"),
		"description": strProp("Fake region " + region),
	}, nil
}

func getCallerIdentity(_ *Cloud, _ string, _ resource.PropertyMap) (resource.PropertyMap, error) {
	return resource.PropertyMap{
		"id":        strProp(Account),
		"accountId": strProp(Account),
		"arn":       strProp("arn:aws:iam::" + Account + ":user/fake"),
		"userId":    strProp("AIDAFAKEFAKEFAKEFAKE"),
	}, nil
}

func getPartition(_ *Cloud, _ string, _ resource.PropertyMap) (resource.PropertyMap, error) {
	return resource.PropertyMap{
		"id":               strProp("aws"),
		"partition":        strProp("aws"),
		"dnsSuffix":        strProp("amazonaws.com"),
		"reverseDnsSuffix": strProp("com.amazonaws"),
	}, nil
}

func getAvailabilityZones(_ *Cloud, region string, _ resource.PropertyMap) (resource.PropertyMap, error) {
	names, ids := azNames(region, 3), make([]string, 3)
	for i := range ids {
		ids[i] = fmt.Sprintf("use1-az%d", i+1)
	}
	return resource.PropertyMap{
		"id":         strProp(region),
		"names":      strArray(names...),
		"zoneIds":    strArray(ids...),
		"groupNames": strArray(region),
	}, nil
}

func azNames(region string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = region + string(rune('a'+i))
	}
	return out
}

// getVpc answers a lookup by id, or of the default VPC, with 10.0.0.0/16.
func getVpc(c *Cloud, region string, args resource.PropertyMap) (resource.PropertyMap, error) {
	id := str(args, "id")
	if id == "" {
		id = "vpc-0default00000000"
	}
	const cidr = "10.0.0.0/16"
	return resource.PropertyMap{
		"id":                 strProp(id),
		"arn":                strProp(fmt.Sprintf("arn:aws:ec2:%s:%s:vpc/%s", region, Account, id)),
		"cidrBlock":          strProp(cidr),
		"default":            resource.NewBoolProperty(boolean(args, "default", false)),
		"state":              strProp("available"),
		"ownerId":            strProp(Account),
		"instanceTenancy":    strProp("default"),
		"enableDnsHostnames": resource.NewBoolProperty(true),
		"enableDnsSupport":   resource.NewBoolProperty(true),
		"mainRouteTableId":   strProp("rtb-" + hashOf(id, "rtb")[:17]),
		"dhcpOptionsId":      strProp("dopt-" + hashOf(id, "dopt")[:17]),
		"cidrBlockAssociations": resource.NewArrayProperty([]resource.PropertyValue{
			resource.NewObjectProperty(resource.PropertyMap{
				"associationId": strProp("vpc-cidr-assoc-" + hashOf(id)[:17]),
				"cidrBlock":     strProp(cidr),
				"state":         strProp("associated"),
			}),
		}),
		"tags": resource.NewObjectProperty(resource.PropertyMap{}),
	}, nil
}

// getRouteTables answers one route table per subnet named in an
// association.subnet-id filter, as awsx gives every subnet its own table
// (and the fake awsx Vpc registers none). Other filters narrow nothing.
func getRouteTables(_ *Cloud, region string, args resource.PropertyMap) (resource.PropertyMap, error) {
	ids := []string{}
	filters := plain(args["filters"])
	if filters.IsArray() {
		for _, f := range filters.ArrayValue() {
			if f = plain(f); !f.IsObject() || str(f.ObjectValue(), "name") != "association.subnet-id" {
				continue
			}
			for _, subnet := range strs(f.ObjectValue(), "values") {
				ids = append(ids, "rtb-"+hashOf(subnet, "rtb")[:17])
			}
		}
	}
	out := resource.PropertyMap{"id": strProp(region), "ids": strArray(ids...)}
	for _, echoed := range []resource.PropertyKey{"vpcId", "filters", "tags"} {
		if v, ok := args[echoed]; ok {
			out[echoed] = v
		}
	}
	return out, nil
}

// jsonCheck fails prop when its known value is not JSON (of an array when wantArray).
func jsonCheck(in resource.PropertyMap, prop string, wantArray bool) *pulumirpc.CheckFailure {
	if absent(in, prop) || unknown(in, prop) {
		return nil
	}
	var v any
	if err := json.Unmarshal([]byte(str(in, prop)), &v); err != nil {
		return invalid(prop, "not valid JSON: %v", err)
	}
	if _, isArray := v.([]any); wantArray && !isArray {
		return invalid(prop, "must be a JSON array")
	}
	return nil
}

// ec2ID is an EC2-style id: prefix plus 17 hex characters.
func (c *call) ec2ID(prefix string) string {
	return prefix + "-" + c.hex(17, prefix)
}

// mixedSuffix makes AWS-style mixed-case suffixes such as the 6 characters Secrets
// Manager appends to secret ARNs.
func (c *call) mixedSuffix(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	h := hashOf(c.urn, "suffix", str(c.in, "name"))
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(alphabet[int(h[i])%len(alphabet)])
	}
	return b.String()
}
