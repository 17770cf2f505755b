package fakeproviders

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// CommandVersion is the pulumi-command version the fake reports.
const CommandVersion = "1.2.1"

// newCommand never executes anything: it records that the command "ran" so tests can
// assert when, e.g., a migration gate fires. Input changes update the resource (running
// `update`, or `create` again when there is no `update`); changed triggers replace it when
// there is no `update` (the SDK additionally asks the engine to replace on triggers).
func newCommand(c *Cloud) *fakeProvider {
	p := newFakeProvider(c, "command", CommandVersion)
	p.kinds["command:local:Command"] = &kind{
		replaceIf: func(olds, news resource.PropertyMap) []string {
			if absent(news, "update") && !deepPlainEqual(olds["triggers"], news["triggers"]) {
				return []string{"triggers"}
			}
			return nil
		},
		outputs: func(c *call) (string, resource.PropertyMap, error) {
			outs := resource.PropertyMap{"stdout": strProp(""), "stderr": strProp("")}
			for _, v := range c.in {
				if v.ContainsSecrets() {
					// pulumi-command marks stdout/stderr secret when any input is secret.
					for k, o := range outs {
						outs[k] = resource.MakeSecret(o)
					}
					break
				}
			}
			return "", outs, nil
		},
		afterWrite: func(c *call, op Op) {
			text := "create"
			if op == OpUpdate && !absent(c.in, "update") {
				text = "update"
			}
			c.cloud.recordCommand(CommandRun{URN: c.urn, Op: op, Command: commandText(c.in, text)})
		},
		afterDelete: func(urn string, olds resource.PropertyMap) {
			if !absent(olds, "delete") {
				c.recordCommand(CommandRun{URN: urn, Op: OpDelete, Command: commandText(olds, "delete")})
			}
		},
	}
	return p
}

// commandText is the command string, hidden when it arrived as a secret.
func commandText(in resource.PropertyMap, key string) string {
	if isSecret(in, resource.PropertyKey(key)) {
		return "[secret]"
	}
	return str(in, key)
}
