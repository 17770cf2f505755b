package automation

import (
	"context"
	"encoding/json"
	"fmt"
)

// Outputs are the stack outputs, typed. Secret outputs are Secret values:
// they print as [secret] until Reveal is called.
type Outputs struct {
	Endpoint                   string   `json:"endpoint"`
	CACertificate              string   `json:"caCertificate"`
	PresharedKey               Secret   `json:"presharedKey"`
	PresharedKeySecretArn      string   `json:"presharedKeySecretArn"`
	DatastoreSecretArn         string   `json:"datastoreSecretArn"`
	DatabaseEndpoint           string   `json:"databaseEndpoint"`
	ClusterName                string   `json:"clusterName"`
	ClusterArn                 string   `json:"clusterArn"`
	ServiceName                string   `json:"serviceName"`
	LogGroup                   string   `json:"logGroup"`
	MigrationTaskDefinitionArn string   `json:"migrationTaskDefinitionArn"`
	TaskSubnetIDs              []string `json:"taskSubnetIds"`
	TaskSecurityGroupID        string   `json:"taskSecurityGroupId"`
	MigrationCommand           string   `json:"migrationCommand"`
	ZedContextCommand          string   `json:"zedContextCommand"`
	VpcID                      string   `json:"vpcId"`
}

// Secret holds a secret output. It never formats or marshals as its value.
type Secret struct{ value string }

// Reveal returns the plaintext; call it only where the value is needed.
func (s Secret) Reveal() string { return s.value }

// String masks the value.
func (s Secret) String() string { return "[secret]" }

// GoString masks the value in %#v too.
func (s Secret) GoString() string { return "[secret]" }

// MarshalJSON masks the value.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal("[secret]") }

// UnmarshalJSON takes the plaintext from the engine's output map.
func (s *Secret) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &s.value) }

// Outputs reads the stack outputs. An output the program marks secret must
// land in a Secret field: anything else is an error rather than a leak.
func (s *Stack) Outputs(ctx context.Context) (Outputs, error) {
	var out Outputs
	raw, err := s.stack.Outputs(ctx)
	if err != nil {
		return out, fmt.Errorf("outputs %s: %w", s.Name(), err)
	}
	plain := map[string]any{}
	for name, v := range raw {
		if v.Secret && name != "presharedKey" {
			return out, fmt.Errorf("outputs %s: %q is a secret but not a Secret field", s.Name(), name)
		}
		plain[name] = v.Value
	}
	b, err := json.Marshal(plain)
	if err != nil {
		return out, fmt.Errorf("outputs %s: %w", s.Name(), err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("outputs %s: %w", s.Name(), err)
	}
	return out, nil
}
