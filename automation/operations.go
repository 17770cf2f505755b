package automation

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

// Preview shows what Up would change. Cancelling ctx interrupts the engine.
func (s *Stack) Preview(ctx context.Context) (auto.PreviewResult, error) {
	res, err := s.stack.Preview(ctx, optpreview.ProgressStreams(s.progress), optpreview.ErrorProgressStreams(s.progress), optpreview.Diff())
	if err != nil {
		return res, fmt.Errorf("preview %s: %w", s.Name(), err)
	}
	return res, nil
}

// Up creates or updates the stack's resources.
func (s *Stack) Up(ctx context.Context) (auto.UpResult, error) {
	res, err := s.stack.Up(ctx, optup.ProgressStreams(s.progress), optup.ErrorProgressStreams(s.progress))
	if err != nil {
		return res, fmt.Errorf("up %s: %w", s.Name(), err)
	}
	return res, nil
}

// Refresh reconciles the state with what exists in the cloud.
func (s *Stack) Refresh(ctx context.Context) (auto.RefreshResult, error) {
	res, err := s.stack.Refresh(ctx, optrefresh.ProgressStreams(s.progress), optrefresh.ErrorProgressStreams(s.progress))
	if err != nil {
		return res, fmt.Errorf("refresh %s: %w", s.Name(), err)
	}
	return res, nil
}

// Destroy deletes every resource of the stack (the stack itself remains).
func (s *Stack) Destroy(ctx context.Context) (auto.DestroyResult, error) {
	res, err := s.stack.Destroy(ctx, optdestroy.ProgressStreams(s.progress), optdestroy.ErrorProgressStreams(s.progress))
	if err != nil {
		return res, fmt.Errorf("destroy %s: %w", s.Name(), err)
	}
	return res, nil
}
