package reports

import (
	"context"
	"io"
)

// Writer renders a Report into w: one output file of a run, or the summary
// the run command prints. A writer reads only the Report (and the access
// matrix it streams from); where its bytes go, and under what name, is the
// caller's choice.
type Writer interface {
	Write(ctx context.Context, w io.Writer, r *Report) error
}
