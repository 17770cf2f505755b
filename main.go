// Command spicedb-ecs is the Pulumi program; `pulumi up` runs it.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/spicedb-ecs/spicedb-ecs/stack"
)

func main() {
	pulumi.Run(stack.Program)
}
