package automation_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/spicedb-ecs/spicedb-ecs/automation"
)

// Example deploys the dev environment from Go: a pinned SpiceDB version, an extra
// preshared key for rotation, then the endpoint clients connect to.
func Example() {
	// Ctrl-C interrupts the engine, which stops after the steps in flight.
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()

	passphrase := os.Getenv("PULUMI_CONFIG_PASSPHRASE")
	if passphrase == "" {
		log.Fatal("set PULUMI_CONFIG_PASSPHRASE: it encrypts the stack's secrets")
	}
	secrets := map[string]string{} // encrypted in Pulumi.dev.yaml
	if next := os.Getenv("SPICEDB_NEXT_KEY"); next != "" {
		secrets["additionalPresharedKeys"] = next // accepted next to the generated key
	}
	s, err := automation.Open(ctx, automation.Options{
		Stack:      "dev",         // Pulumi.dev.yaml
		ProjectDir: "spicedb-ecs", // holds Pulumi.yaml; state goes to its .pulumi/
		Config:     map[string]string{"spicedb.version": "v1.56.2"},
		Secrets:    secrets,
		EnvVars:    map[string]string{"PULUMI_CONFIG_PASSPHRASE": passphrase},
		Progress:   os.Stdout,
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := s.Up(ctx); err != nil {
		log.Fatal(err) // invalid config: errors.As(err, new(*stack.InvalidConfigError))
	}
	out, err := s.Outputs(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("SpiceDB endpoint:", out.Endpoint)
	fmt.Println("preshared key:", out.PresharedKey) // prints [secret]; Reveal() gives the key
}
