package rehearsal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
	"github.com/spicedb-ecs/spicedb-ecs/stack"
)

// Logical resource and container names the service component renders (see
// service/taskdefinitions.go and the golden file next to it).
const (
	ServeTaskDefinition   = "spicedb-serve"
	MigrateTaskDefinition = "spicedb-migrate"
	ServeContainer        = "spicedb"
	MigrateContainer      = "spicedb-migrate"
)

// Type tokens of the registrations a plan is read from.
const (
	typeTaskDefinition = "aws:ecs/taskDefinition:TaskDefinition"
	typeService        = "aws:ecs/service:Service"
	typeTargetGroup    = "aws:lb/targetGroup:TargetGroup"
	typeListener       = "aws:lb/listener:Listener"
	typeSecretVersion  = "aws:secretsmanager/secretVersion:SecretVersion"
)

// PlanFromStack renders the Pulumi program as stack stackName of the project
// in projectDir (Pulumi.yaml defaults + Pulumi.<stack>.yaml + overrides,
// full keys such as "spicedb-ecs:spicedb") under the mock harness, and
// takes from that one run: the serve and migration container definitions
// exactly as registered, the secret values the run generated, and the
// listener and target group in front of the ECS service. No value of a
// secret appears in its errors.
func PlanFromStack(projectDir, stackName string, overrides map[string]string) (Plan, error) {
	m, err := pulumimock.RunStack(stack.Program, projectDir, stackName, overrides)
	if err != nil {
		return Plan{}, fmt.Errorf("rehearsal: render stack %s: %w", stackName, err)
	}
	p, err := planFromResources(m.Resources())
	if err != nil {
		return Plan{}, fmt.Errorf("rehearsal: stack %s: %w", stackName, err)
	}
	return p, nil
}

// planFromResources reads a plan from a mock run's registrations.
func planFromResources(rs []pulumimock.Resource) (Plan, error) {
	serveTD, err := uniqueNamed(rs, typeTaskDefinition, ServeTaskDefinition)
	if err != nil {
		return Plan{}, err
	}
	migrateTD, err := uniqueNamed(rs, typeTaskDefinition, MigrateTaskDefinition)
	if err != nil {
		return Plan{}, err
	}
	var p Plan
	if p.Serve, err = containerOf(serveTD, ServeContainer); err != nil {
		return Plan{}, err
	}
	if p.Migrate, err = containerOf(migrateTD, MigrateContainer); err != nil {
		return Plan{}, err
	}
	if p.SecretValues, err = secretValuesFor(rs, p.Serve, p.Migrate); err != nil {
		return Plan{}, err
	}
	svc, err := serviceRunning(rs, serveTD)
	if err != nil {
		return Plan{}, err
	}
	tgArn, containerPort, err := loadBalancerOf(svc, ServeContainer)
	if err != nil {
		return Plan{}, err
	}
	tg, err := uniqueWhere(rs, typeTargetGroup, "with arn "+tgArn, func(r pulumimock.Resource) bool {
		return plainString(r.Outputs["arn"]) == tgArn
	})
	if err != nil {
		return Plan{}, err
	}
	if p.TargetGroup, err = targetGroupSpec(tg); err != nil {
		return Plan{}, err
	}
	p.TargetGroup.ContainerPort = containerPort
	listener, err := uniqueWhere(rs, typeListener, "forwarding to "+tgArn, func(r pulumimock.Resource) bool {
		return forwardsTo(r, tgArn)
	})
	if err != nil {
		return Plan{}, err
	}
	if p.Listener, err = listenerSpec(listener); err != nil {
		return Plan{}, err
	}
	return p, nil
}

// uniqueNamed finds the one registration of typ with a logical name.
func uniqueNamed(rs []pulumimock.Resource, typ, name string) (pulumimock.Resource, error) {
	return uniqueWhere(rs, typ, "named "+name, func(r pulumimock.Resource) bool { return r.Name == name })
}

// uniqueWhere finds the one registration of typ that matches; none or
// several is an error that lists what there was.
func uniqueWhere(rs []pulumimock.Resource, typ, what string, match func(pulumimock.Resource) bool) (pulumimock.Resource, error) {
	var found []pulumimock.Resource
	var all []string
	for _, r := range rs {
		if r.Type != typ {
			continue
		}
		all = append(all, r.Name)
		if match(r) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return pulumimock.Resource{}, fmt.Errorf("no %s %s (the program registered %d: %q)", typ, what, len(all), all)
	default:
		names := make([]string, 0, len(found))
		for _, r := range found {
			names = append(names, r.Name)
		}
		return pulumimock.Resource{}, fmt.Errorf("%d registrations of %s %s (%q): ambiguous", len(found), typ, what, names)
	}
}

// containerOf decodes a task definition's containerDefinitions and returns
// the named container. The task must hold exactly that container: the
// rehearsal runs one process per task.
func containerOf(td pulumimock.Resource, name string) (types.ContainerDefinition, error) {
	v, ok := td.Inputs["containerDefinitions"]
	if !ok {
		return types.ContainerDefinition{}, fmt.Errorf("task definition %s has no containerDefinitions", td.Name)
	}
	if pulumimock.IsSecret(v) {
		// Secrets reach containers through `secrets`; a secret inside the
		// JSON would be stored in the task definition in plain text.
		return types.ContainerDefinition{}, fmt.Errorf("task definition %s: containerDefinitions is a Pulumi secret, so a secret value is inlined in it", td.Name)
	}
	raw, ok := pulumimock.Plain(v).(string)
	if !ok {
		return types.ContainerDefinition{}, fmt.Errorf("task definition %s: containerDefinitions is not a known JSON string", td.Name)
	}
	defs, err := decodeContainerDefinitions(raw)
	if err != nil {
		return types.ContainerDefinition{}, fmt.Errorf("task definition %s: %w", td.Name, err)
	}
	names := make([]string, 0, len(defs))
	for _, d := range defs {
		names = append(names, deref(d.Name))
	}
	if len(defs) != 1 || names[0] != name {
		return types.ContainerDefinition{}, fmt.Errorf("task definition %s: containers %q, want exactly %q", td.Name, names, name)
	}
	return defs[0], nil
}

// decodeContainerDefinitions decodes the ECS API's JSON strictly: a field
// the ECS types do not know would be silently dropped otherwise, and the
// rehearsal would run something other than what was rendered.
func decodeContainerDefinitions(raw string) ([]types.ContainerDefinition, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	var defs []types.ContainerDefinition
	if err := dec.Decode(&defs); err != nil {
		return nil, fmt.Errorf("decode containerDefinitions: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decode containerDefinitions: trailing data after the JSON array")
	}
	return defs, nil
}

// secretValuesFor maps every valueFrom the containers reference to the
// secretString of the one SecretVersion written into that secret.
func secretValuesFor(rs []pulumimock.Resource, defs ...types.ContainerDefinition) (map[string]string, error) {
	values := map[string]string{}
	for _, def := range defs {
		for _, s := range def.Secrets {
			arn := deref(s.ValueFrom)
			if _, done := values[arn]; done {
				continue
			}
			version, err := uniqueWhere(rs, typeSecretVersion, "with secretId "+arn, func(r pulumimock.Resource) bool {
				return plainString(r.Inputs["secretId"]) == arn
			})
			if err != nil {
				return nil, fmt.Errorf("container %s secret %s: %w", deref(def.Name), deref(s.Name), err)
			}
			v, ok := version.Inputs["secretString"]
			if !ok {
				return nil, fmt.Errorf("secret version %s has no secretString", version.Name)
			}
			if !pulumimock.IsSecret(v) {
				return nil, fmt.Errorf("secret version %s: secretString is not a Pulumi secret (it would be stored in plain text in the state)", version.Name)
			}
			value, ok := pulumimock.Plain(v).(string)
			if !ok || value == "" {
				return nil, fmt.Errorf("secret version %s: secretString is not a known, non-empty string", version.Name)
			}
			values[arn] = value
		}
	}
	return values, nil
}

// serviceRunning finds the ECS service that runs the serve task definition.
func serviceRunning(rs []pulumimock.Resource, serveTD pulumimock.Resource) (pulumimock.Resource, error) {
	tdArn := plainString(serveTD.Outputs["arn"])
	return uniqueWhere(rs, typeService, "running "+tdArn, func(r pulumimock.Resource) bool {
		return plainString(r.Inputs["taskDefinition"]) == tdArn
	})
}

// loadBalancerOf returns the target group and container port the service
// registers the container in.
func loadBalancerOf(svc pulumimock.Resource, container string) (string, int, error) {
	lbs, _ := pulumimock.Plain(svc.Inputs["loadBalancers"]).([]any)
	var matches []map[string]any
	for _, e := range lbs {
		if m, ok := e.(map[string]any); ok && m["containerName"] == container {
			matches = append(matches, m)
		}
	}
	if len(matches) != 1 {
		return "", 0, fmt.Errorf("service %s: %d loadBalancers entries for container %s, want 1", svc.Name, len(matches), container)
	}
	arn, _ := matches[0]["targetGroupArn"].(string)
	port, err := intField(matches[0], "containerPort")
	if err != nil || arn == "" {
		return "", 0, fmt.Errorf("service %s: loadBalancers entry for %s lacks targetGroupArn or containerPort (%v)", svc.Name, container, err)
	}
	return arn, port, nil
}

// forwardsTo reports whether a listener's default action forwards to the
// target group, in either form the ELBv2 API accepts.
func forwardsTo(listener pulumimock.Resource, tgArn string) bool {
	actions, _ := pulumimock.Plain(listener.Inputs["defaultActions"]).([]any)
	for _, a := range actions {
		action, _ := a.(map[string]any)
		if action["type"] != "forward" {
			continue
		}
		if action["targetGroupArn"] == tgArn {
			return true
		}
		forward, _ := action["forward"].(map[string]any)
		groups, _ := forward["targetGroups"].([]any)
		for _, g := range groups {
			if group, _ := g.(map[string]any); group["arn"] == tgArn {
				return true
			}
		}
	}
	return false
}

func listenerSpec(r pulumimock.Resource) (ListenerSpec, error) {
	in := pulumimock.PlainMap(r.Inputs)
	port, err := intField(in, "port")
	if err != nil {
		return ListenerSpec{}, fmt.Errorf("listener %s: %w", r.Name, err)
	}
	spec := ListenerSpec{Port: port}
	spec.Protocol, _ = in["protocol"].(string)
	spec.SslPolicy, _ = in["sslPolicy"].(string)
	spec.AlpnPolicy, _ = in["alpnPolicy"].(string) // unset is None, as in AWS
	return spec, nil
}

// targetGroupSpec reads the target group. Health check settings must be
// declared: AWS fills unset ones with defaults that the rehearsal does not
// guess, except the port, whose default is documented as traffic-port.
func targetGroupSpec(r pulumimock.Resource) (TargetGroupSpec, error) {
	in := pulumimock.PlainMap(r.Inputs)
	var errs []error
	need := func(m map[string]any, key string) int {
		v, err := intField(m, key)
		if err != nil {
			errs = append(errs, err)
		}
		return v
	}
	spec := TargetGroupSpec{Port: need(in, "port")}
	spec.Protocol, _ = in["protocol"].(string)
	// AWS's default delay; recorded only, draining is not emulated.
	spec.DeregistrationDelaySeconds = 300
	if _, set := in["deregistrationDelay"]; set {
		spec.DeregistrationDelaySeconds = need(in, "deregistrationDelay")
	}
	hc, _ := in["healthCheck"].(map[string]any)
	if hc == nil {
		return TargetGroupSpec{}, fmt.Errorf("target group %s declares no healthCheck", r.Name)
	}
	if enabled, set := hc["enabled"].(bool); set && !enabled {
		return TargetGroupSpec{}, fmt.Errorf("target group %s: health checks disabled; the rehearsal routes by health", r.Name)
	}
	h := HealthCheckSpec{
		IntervalSeconds:    need(hc, "interval"),
		TimeoutSeconds:     need(hc, "timeout"),
		HealthyThreshold:   need(hc, "healthyThreshold"),
		UnhealthyThreshold: need(hc, "unhealthyThreshold"),
		Port:               "traffic-port",
	}
	h.Protocol, _ = hc["protocol"].(string)
	h.Path, _ = hc["path"].(string)
	h.Matcher, _ = hc["matcher"].(string)
	if port, ok := hc["port"].(string); ok && port != "" {
		h.Port = port
	}
	if h.Protocol == "" {
		errs = append(errs, errors.New("healthCheck.protocol is not set"))
	}
	if slices.Contains([]string{"HTTP", "HTTPS"}, h.Protocol) && (h.Path == "" || h.Matcher == "") {
		errs = append(errs, fmt.Errorf("healthCheck path and matcher must be declared for %s checks", h.Protocol))
	}
	if len(errs) > 0 {
		return TargetGroupSpec{}, fmt.Errorf("target group %s: %w (AWS defaults are not emulated: declare them)", r.Name, errors.Join(errs...))
	}
	spec.HealthCheck = h
	return spec, nil
}

// intField reads a whole number; Plain yields JSON numbers as float64.
func intField(m map[string]any, key string) (int, error) {
	switch v := m[key].(type) {
	case float64:
		if v != float64(int(v)) {
			return 0, fmt.Errorf("%s = %v is not a whole number", key, v)
		}
		return int(v), nil
	case string:
		// Some provider inputs are typed as strings holding a number.
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("%s = %q is not a whole number", key, v)
		}
		return n, nil
	case nil:
		return 0, fmt.Errorf("%s is not set", key)
	default:
		return 0, fmt.Errorf("%s = %v (%T) is not a number", key, v, v)
	}
}

func plainString(v resource.PropertyValue) string {
	s, _ := pulumimock.Plain(v).(string)
	return s
}
