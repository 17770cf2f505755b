package fakeproviders

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestGetRouteTablesAnswersOneTablePerAssociatedSubnet(t *testing.T) {
	aws := newAWS(newTestCloud())
	invoke := func(t *testing.T, args resource.PropertyMap) []string {
		t.Helper()
		resp, err := aws.Invoke(context.Background(), &pulumirpc.InvokeRequest{
			Tok: "aws:ec2/getRouteTables:getRouteTables", Args: mustStruct(t, args),
		})
		if err != nil {
			t.Fatalf("invoke: %v", err)
		}
		if len(resp.GetFailures()) > 0 {
			t.Fatalf("invoke failures: %v", resp.GetFailures())
		}
		out, err := unmarshal(resp.GetReturn())
		if err != nil {
			t.Fatal(err)
		}
		return strs(out, "ids")
	}
	filter := func(name string, values ...string) resource.PropertyValue {
		return resource.NewObjectProperty(resource.PropertyMap{"name": strProp(name), "values": strArray(values...)})
	}
	byAssociation := resource.PropertyMap{
		"vpcId": strProp("vpc-1"),
		"filters": resource.NewArrayProperty([]resource.PropertyValue{
			filter("vpc-id", "vpc-1"),
			filter("association.subnet-id", "subnet-a", "subnet-b"),
		}),
	}
	ids := invoke(t, byAssociation)
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Fatalf("ids = %v, want two distinct route tables", ids)
	}
	for _, id := range ids {
		if !strings.HasPrefix(id, "rtb-") || len(id) != len("rtb-")+17 {
			t.Errorf("route table id %q is not rtb- plus 17 hex digits", id)
		}
	}
	if again := invoke(t, byAssociation); !reflect.DeepEqual(again, ids) {
		t.Errorf("second lookup = %v, want the same tables %v", again, ids)
	}
	if got := invoke(t, resource.PropertyMap{"vpcId": strProp("vpc-1")}); len(got) != 0 {
		t.Errorf("lookup without an association filter = %v, want none", got)
	}
}

func TestVpcEndpointOutputsFollowTheType(t *testing.T) {
	aws := newAWS(newTestCloud())
	create := func(t *testing.T, name string, in resource.PropertyMap) (string, resource.PropertyMap, error) {
		t.Helper()
		resp, err := aws.Create(context.Background(), &pulumirpc.CreateRequest{
			Urn: urnOf("aws:ec2/vpcEndpoint:VpcEndpoint", name), Properties: mustStruct(t, in),
		})
		if err != nil {
			return "", nil, err
		}
		out, err := unmarshal(resp.GetProperties())
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetId(), out, nil
	}
	base := func(service string, extra resource.PropertyMap) resource.PropertyMap {
		in := resource.PropertyMap{"vpcId": strProp("vpc-1"), "serviceName": strProp("com.amazonaws.us-east-1." + service)}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}

	t.Run("interface endpoint gets DNS names and one ENI per subnet", func(t *testing.T) {
		id, out, err := create(t, "logs", base("logs", resource.PropertyMap{
			"vpcEndpointType": strProp("Interface"), "privateDnsEnabled": resource.NewBoolProperty(true),
			"subnetIds": strArray("subnet-a", "subnet-b"),
		}))
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if !strings.HasPrefix(id, "vpce-") || !strings.HasSuffix(str(out, "arn"), ":vpc-endpoint/"+id) {
			t.Errorf("id %q, arn %q", id, str(out, "arn"))
		}
		if str(out, "vpcEndpointType") != "Interface" || !boolean(out, "privateDnsEnabled", false) {
			t.Errorf("type %q, privateDnsEnabled %v: want the inputs kept", str(out, "vpcEndpointType"), out["privateDnsEnabled"])
		}
		if n := len(strs(out, "networkInterfaceIds")); n != 2 {
			t.Errorf("%d network interfaces, want 2", n)
		}
		if dns := plain(out["dnsEntries"]); !dns.IsArray() || len(dns.ArrayValue()) == 0 {
			t.Errorf("dnsEntries = %v, want DNS names", out["dnsEntries"])
		}
		if _, ok := out["prefixListId"]; ok {
			t.Errorf("interface endpoint has a prefixListId")
		}
	})

	t.Run("gateway endpoint gets a prefix list and no DNS", func(t *testing.T) {
		_, out, err := create(t, "s3", base("s3", resource.PropertyMap{"routeTableIds": strArray("rtb-1")}))
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if str(out, "vpcEndpointType") != "Gateway" {
			t.Errorf("type %q, want the API default Gateway", str(out, "vpcEndpointType"))
		}
		if !strings.HasPrefix(str(out, "prefixListId"), "pl-") {
			t.Errorf("prefixListId = %q, want pl-…", str(out, "prefixListId"))
		}
		if dns := plain(out["dnsEntries"]); len(dns.ArrayValue()) != 0 {
			t.Errorf("dnsEntries = %v, want none on a gateway endpoint", dns)
		}
	})

	rejected := []struct {
		name, want string
		extra      resource.PropertyMap
	}{
		{"gateway endpoint with subnets", "subnets", resource.PropertyMap{"subnetIds": strArray("subnet-a")}},
		{"gateway endpoint with private DNS", "PrivateDnsEnabled", resource.PropertyMap{"privateDnsEnabled": resource.NewBoolProperty(true)}},
	}
	for _, tc := range rejected {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			_, _, err := create(t, "bad", base("s3", tc.extra))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want the API's refusal naming %s", err, tc.want)
			}
		})
	}
}
