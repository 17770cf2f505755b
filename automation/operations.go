package automation

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

// Preview shows what Up would change. Cancelling ctx interrupts the engine.
func (s *Stack) Preview(ctx context.Context) (auto.PreviewResult, error) {
	var res auto.PreviewResult
	err := s.operation("preview", func(stream []chan<- events.EngineEvent) (err error) {
		res, err = s.stack.Preview(ctx, optpreview.ProgressStreams(s.progress), optpreview.ErrorProgressStreams(s.progress),
			optpreview.Diff(), optpreview.EventStreams(stream...))
		return err
	})
	return res, err
}

// Up creates or updates the stack's resources. When the program fails, e.g.
// on invalid configuration, its own error is returned wrapped: errors.As
// finds a *stack.InvalidConfigError with every problem.
func (s *Stack) Up(ctx context.Context) (auto.UpResult, error) {
	var res auto.UpResult
	err := s.operation("up", func(stream []chan<- events.EngineEvent) (err error) {
		res, err = s.stack.Up(ctx, optup.ProgressStreams(s.progress), optup.ErrorProgressStreams(s.progress),
			optup.EventStreams(stream...))
		return err
	})
	return res, err
}

// Refresh reconciles the state with what exists in the cloud.
func (s *Stack) Refresh(ctx context.Context) (auto.RefreshResult, error) {
	var res auto.RefreshResult
	err := s.operation("refresh", func(stream []chan<- events.EngineEvent) (err error) {
		res, err = s.stack.Refresh(ctx, optrefresh.ProgressStreams(s.progress), optrefresh.ErrorProgressStreams(s.progress),
			optrefresh.EventStreams(stream...))
		return err
	})
	return res, err
}

// Destroy deletes every resource of the stack (the stack itself remains).
func (s *Stack) Destroy(ctx context.Context) (auto.DestroyResult, error) {
	var res auto.DestroyResult
	err := s.operation("destroy", func(stream []chan<- events.EngineEvent) (err error) {
		res, err = s.stack.Destroy(ctx, optdestroy.ProgressStreams(s.progress), optdestroy.ErrorProgressStreams(s.progress),
			optdestroy.EventStreams(stream...))
		return err
	})
	return res, err
}

// operation runs one engine operation with the event listener attached. When
// the program itself failed (invalid configuration, say), its error is
// returned as is, so errors.As finds e.g. *stack.InvalidConfigError; the
// engine's rendering of it adds nothing but noise.
func (s *Stack) operation(name string, run func(stream []chan<- events.EngineEvent) error) error {
	s.program.takeErr()
	stream, delivered := s.eventStream()
	err := run(stream)
	delivered()
	if err == nil {
		return nil
	}
	if programErr := s.program.takeErr(); programErr != nil {
		return fmt.Errorf("%s %s: %w", name, s.Name(), programErr)
	}
	return fmt.Errorf("%s %s: %w", name, s.Name(), err)
}

// eventStream returns the channels to stream engine events to (none without
// a listener) and a function that waits until the listener saw every event.
// The Automation API closes the channel when the engine's stream ends, but
// never opens it when the CLI fails early; once the operation has returned,
// every event has been received, so stop ends the forwarder either way.
func (s *Stack) eventStream() ([]chan<- events.EngineEvent, func()) {
	if s.onEvent == nil {
		return nil, func() {}
	}
	ch := make(chan events.EngineEvent)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case e, ok := <-ch:
				if !ok {
					return
				}
				s.onEvent(e)
			case <-stop:
				return
			}
		}
	}()
	return []chan<- events.EngineEvent{ch}, func() {
		close(stop)
		<-done
	}
}
