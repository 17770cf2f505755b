package fakeproviders

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"google.golang.org/protobuf/types/known/structpb"
)

// marshalOpts keeps secrets and unknowns intact in both directions: the fakes must see
// exactly what the engine sent (so secretness survives into outputs) and previews carry
// unknowns.
var marshalOpts = plugin.MarshalOptions{
	KeepUnknowns: true,
	KeepSecrets:  true,
	SkipNulls:    true,
}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	m, err := plugin.UnmarshalProperties(s, marshalOpts)
	if err != nil {
		return nil, fmt.Errorf("fakeproviders: unmarshal properties: %w", err)
	}
	return m, nil
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	s, err := plugin.MarshalProperties(m, marshalOpts)
	if err != nil {
		return nil, fmt.Errorf("fakeproviders: marshal properties: %w", err)
	}
	return s, nil
}

// plain strips secret and output wrappers so values can be read and compared.
func plain(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput():
			o := v.OutputValue()
			if !o.Known {
				return resource.MakeComputed(resource.NewStringProperty(""))
			}
			v = o.Element
		default:
			return v
		}
	}
}

// absent reports whether a property counts as not set: missing, null, or an empty
// collection (the Terraform-bridged providers treat all three alike).
func absent(m resource.PropertyMap, key string) bool {
	v, ok := m[resource.PropertyKey(key)]
	if !ok {
		return true
	}
	v = plain(v)
	switch {
	case v.IsNull():
		return true
	case v.IsArray():
		return len(v.ArrayValue()) == 0
	case v.IsObject():
		return len(v.ObjectValue()) == 0
	}
	return false
}

// unknown reports whether the value of key is (or contains) an unknown.
func unknown(m resource.PropertyMap, key string) bool {
	v, ok := m[resource.PropertyKey(key)]
	return ok && v.ContainsUnknowns()
}

// str returns the string value of key, or "" when absent, unknown or not a string.
func str(m resource.PropertyMap, key string) string {
	v := plain(m[resource.PropertyKey(key)])
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

// num returns the number value of key, or def when absent, unknown or not a number.
func num(m resource.PropertyMap, key string, def float64) float64 {
	v := plain(m[resource.PropertyKey(key)])
	if v.IsNumber() {
		return v.NumberValue()
	}
	return def
}

// boolean returns the bool value of key, or def when absent, unknown or not a bool.
func boolean(m resource.PropertyMap, key string, def bool) bool {
	v := plain(m[resource.PropertyKey(key)])
	if v.IsBool() {
		return v.BoolValue()
	}
	return def
}

// strs returns the known string elements of an array property.
func strs(m resource.PropertyMap, key string) []string {
	v := plain(m[resource.PropertyKey(key)])
	if !v.IsArray() {
		return nil
	}
	var out []string
	for _, e := range v.ArrayValue() {
		if e = plain(e); e.IsString() {
			out = append(out, e.StringValue())
		}
	}
	return out
}

// isSecret reports whether the top-level value of key arrived as a secret.
func isSecret(m resource.PropertyMap, key resource.PropertyKey) bool {
	v, ok := m[key]
	return ok && (v.IsSecret() || (v.IsOutput() && v.OutputValue().Secret))
}

// hashOf is a short stable hex digest of its parts; fakes derive ids and suffixes from it
// so repeated runs produce the same cloud.
func hashOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sortedKeys(m resource.PropertyMap) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	return keys
}

func strProp(s string) resource.PropertyValue { return resource.NewStringProperty(s) }

func numProp(n float64) resource.PropertyValue { return resource.NewNumberProperty(n) }

func strArray(ss ...string) resource.PropertyValue {
	vs := make([]resource.PropertyValue, len(ss))
	for i, s := range ss {
		vs[i] = resource.NewStringProperty(s)
	}
	return resource.NewArrayProperty(vs)
}
