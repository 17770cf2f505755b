package automation

import (
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// programRun runs the inline program and keeps its error, so that an
// operation can return the program's own error value instead of the text the
// engine makes of it.
type programRun struct {
	run pulumi.RunFunc

	mu  sync.Mutex
	err error
}

// Run is the pulumi.RunFunc handed to the workspace.
func (p *programRun) Run(ctx *pulumi.Context) error {
	err := p.run(ctx)
	if err != nil {
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
	}
	return err
}

// takeErr returns the program's last error and forgets it.
func (p *programRun) takeErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	err := p.err
	p.err = nil
	return err
}
