package fakeproviders

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// diffMaps compares old and new inputs key by key (secrets compared by value) and marks
// the keys whose change forces replacement.
func diffMaps(k *kind, olds, news resource.PropertyMap, ignore []string) *pulumirpc.DiffResponse {
	ignored := map[string]bool{}
	for _, i := range ignore {
		ignored[i] = true
	}
	resp := &pulumirpc.DiffResponse{DetailedDiff: map[string]*pulumirpc.PropertyDiff{}, HasDetailedDiff: true}
	for _, key := range unionKeys(olds, news) {
		if ignored[key] {
			continue
		}
		oldAbsent, newAbsent := absent(olds, key), absent(news, key)
		var diffKind pulumirpc.PropertyDiff_Kind
		switch {
		case unknown(news, key):
			diffKind = pulumirpc.PropertyDiff_UPDATE
			if oldAbsent {
				diffKind = pulumirpc.PropertyDiff_ADD
			}
		case oldAbsent && newAbsent:
			continue
		case oldAbsent:
			diffKind = pulumirpc.PropertyDiff_ADD
		case newAbsent:
			diffKind = pulumirpc.PropertyDiff_DELETE
		case deepPlainEqual(olds[resource.PropertyKey(key)], news[resource.PropertyKey(key)]):
			continue
		default:
			diffKind = pulumirpc.PropertyDiff_UPDATE
		}
		resp.Diffs = append(resp.Diffs, key)
		if k.replaces(key) {
			resp.Replaces = append(resp.Replaces, key)
			diffKind += pulumirpc.PropertyDiff_ADD_REPLACE - pulumirpc.PropertyDiff_ADD
		}
		resp.DetailedDiff[key] = &pulumirpc.PropertyDiff{Kind: diffKind, InputDiff: true}
	}
	if k.replaceIf != nil {
		for _, key := range k.replaceIf(olds, news) {
			if _, seen := resp.DetailedDiff[key]; !seen {
				resp.Diffs = append(resp.Diffs, key)
			}
			resp.Replaces = append(resp.Replaces, key)
			resp.DetailedDiff[key] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_UPDATE_REPLACE, InputDiff: true}
		}
	}
	resp.Changes = pulumirpc.DiffResponse_DIFF_NONE
	if len(resp.Diffs) > 0 {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return resp
}

func unionKeys(a, b resource.PropertyMap) []string {
	all := a.Copy()
	for k, v := range b {
		all[k] = v
	}
	return sortedKeys(all)
}

// deepPlainEqual compares values ignoring secret wrappers at any depth.
func deepPlainEqual(a, b resource.PropertyValue) bool {
	return stripSecrets(a).DeepEquals(stripSecrets(b))
}

func stripSecrets(v resource.PropertyValue) resource.PropertyValue {
	v = plain(v)
	switch {
	case v.IsArray():
		arr := make([]resource.PropertyValue, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			arr[i] = stripSecrets(e)
		}
		return resource.NewArrayProperty(arr)
	case v.IsObject():
		obj := resource.PropertyMap{}
		for k, e := range v.ObjectValue() {
			obj[k] = stripSecrets(e)
		}
		return resource.NewObjectProperty(obj)
	}
	return v
}
