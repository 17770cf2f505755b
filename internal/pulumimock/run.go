package pulumimock

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"
)

// Options say which stack a mock run pretends to be and what config it sees.
type Options struct {
	Project, Stack, Region string
	// Config maps full keys ("spicedb-ecs:network", "aws:region") to values
	// as the engine hands them to a program: objects and arrays as JSON.
	Config map[string]string
	// SecretKeys are the full keys whose values are secrets.
	SecretKeys []string
}

// Run runs program under mocks and returns what it registered. The error is
// the program's own (config validation, wiring), unchanged.
func Run(program pulumi.RunFunc, opts Options) (*Mocks, error) {
	m := New(opts.Project, opts.Stack, opts.Region)
	withConfig := func(info *pulumi.RunInfo) {
		info.Config = opts.Config
		info.ConfigSecretKeys = opts.SecretKeys
	}
	err := pulumi.RunErr(program, pulumi.WithMocks(opts.Project, opts.Stack, m), withConfig)
	return m, err
}

// StackOptions builds Options from a project directory the way the engine
// does: Pulumi.<stack>.yaml values, then Pulumi.yaml defaults for every
// project key the stack leaves out, then overrides (full keys).
func StackOptions(dir, stack string, overrides map[string]string) (Options, error) {
	var project struct {
		Name   string `yaml:"name"`
		Config map[string]struct {
			Default any `yaml:"default"`
		} `yaml:"config"`
	}
	if err := readYAML(filepath.Join(dir, "Pulumi.yaml"), &project); err != nil {
		return Options{}, err
	}
	var stackFile struct {
		Config map[string]any `yaml:"config"`
	}
	if err := readYAML(filepath.Join(dir, "Pulumi."+stack+".yaml"), &stackFile); err != nil {
		return Options{}, err
	}
	cfg := map[string]string{}
	for key, value := range stackFile.Config {
		if secure, ok := value.(map[string]any); ok && secure["secure"] != nil {
			return Options{}, fmt.Errorf("pulumimock: %s in Pulumi.%s.yaml is encrypted; mock runs take secrets as overrides", key, stack)
		}
		text, err := configText(value)
		if err != nil {
			return Options{}, fmt.Errorf("pulumimock: %s: %w", key, err)
		}
		cfg[fullKey(project.Name, key)] = text
	}
	for key, decl := range project.Config {
		full := fullKey(project.Name, key)
		if _, set := cfg[full]; !set && decl.Default != nil {
			text, err := configText(decl.Default)
			if err != nil {
				return Options{}, fmt.Errorf("pulumimock: default of %s: %w", key, err)
			}
			cfg[full] = text
		}
	}
	for key, value := range overrides {
		cfg[key] = value
	}
	return Options{Project: project.Name, Stack: stack, Region: cfg["aws:region"], Config: cfg}, nil
}

// RunStack runs program as stack of the project in dir.
func RunStack(program pulumi.RunFunc, dir, stack string, overrides map[string]string) (*Mocks, error) {
	opts, err := StackOptions(dir, stack, overrides)
	if err != nil {
		return nil, err
	}
	return Run(program, opts)
}

func fullKey(project, key string) string {
	if strings.Contains(key, ":") {
		return key
	}
	return project + ":" + key
}

// configText renders a YAML value the way the engine passes it to programs.
func configText(value any) (string, error) {
	switch v := value.(type) {
	case string:
		return v, nil
	case map[string]any, []any:
		b, err := json.Marshal(v)
		return string(b), err
	default:
		return fmt.Sprint(v), nil
	}
}

func readYAML(path string, into any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("pulumimock: %w", err)
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		return fmt.Errorf("pulumimock: %s: %w", path, err)
	}
	return nil
}

// Plain turns a property value into plain Go values, unwrapping secrets and
// known outputs; unknowns become nil.
func Plain(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return Plain(v.SecretValue().Element)
	case v.IsOutput():
		return Plain(v.OutputValue().Element)
	case v.IsComputed():
		return nil
	case v.IsArray():
		out := []any{}
		for _, e := range v.ArrayValue() {
			out = append(out, Plain(e))
		}
		return out
	case v.IsObject():
		return PlainMap(v.ObjectValue())
	}
	return v.V
}

// PlainMap is Plain for a whole property map.
func PlainMap(m resource.PropertyMap) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[string(k)] = Plain(v)
	}
	return out
}

// IsSecret reports whether a property value is (or wraps) a secret.
func IsSecret(v resource.PropertyValue) bool {
	return v.ContainsSecrets()
}
