// Command d365audit audits the security and licensing of a Microsoft
// Dynamics 365 / Power Platform (Dataverse) environment from an export.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/urfave/cli/v3"
)

// Exit statuses of OUTPUT.md.
const (
	exitOK       = 0
	exitFindings = 1
	exitBadInput = 2
	exitInternal = 3
)

// version is set at build time: make passes -ldflags "-X main.version=..."
// from git describe (scripts/version.sh). toolVersion falls back to the
// build information when it is empty.
var version string

func main() {
	stop := startCPUProfile(os.Getenv("D365AUDIT_CPUPROFILE"))
	code := run(context.Background(), os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// startCPUProfile writes a CPU profile of the whole command to path, if
// set (D365AUDIT_CPUPROFILE, for BENCHMARKS.md's measurements).
func startCPUProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "d365audit: cpu profile: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// exitError carries an exit status up to main, the only place that maps
// errors to statuses.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// badInput marks an error as the input's fault (exit 2).
func badInput(err error) error { return &exitError{code: exitBadInput, err: err} }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.Run(ctx, args)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintf(stderr, "d365audit: %v\n", ee.err)
		}
		return ee.code
	}
	// Actions wrap their own errors (see action), so an error that is not
	// an exitError comes from parsing the command line.
	fmt.Fprintf(stderr, "d365audit: %v\n", err)
	return exitBadInput
}

// action wraps a command's work: an error it does not classify is an
// internal one (exit 3), never a usage error.
func action(fn func(ctx context.Context, cmd *cli.Command) error) cli.ActionFunc {
	return func(ctx context.Context, cmd *cli.Command) error {
		err := fn(ctx, cmd)
		var ee *exitError
		if err == nil || errors.As(err, &ee) {
			return err
		}
		return &exitError{code: exitInternal, err: err}
	}
}

func newApp(stdout, stderr io.Writer) *cli.Command {
	app := &cli.Command{
		Name:      "d365audit",
		Usage:     "audit the security and licensing of a Dynamics 365 / Dataverse environment from its export",
		Version:   toolVersion(),
		Writer:    stdout,
		ErrWriter: stderr,
		// main alone decides the exit status.
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
		// Every command inherits it: a stray argument is a usage error, and
		// an unknown command one too.
		ArgValidator: checkArgs,
		Commands: []*cli.Command{
			newRunCommand(),
			newValidateCommand(),
			newAccessCommand(),
			newWhoCanCommand(),
			newRulesCommand(),
			newDiffCommand(),
			newSampleCommand(),
			newExportCommand(),
			newReviewCommand(),
		},
	}
	app.OnUsageError = onUsageError
	for _, c := range app.Commands {
		c.OnUsageError = onUsageError
	}
	return app
}

// onUsageError keeps a usage error to one line and a pointer to the help,
// instead of the whole help.
func onUsageError(_ context.Context, cmd *cli.Command, err error, _ bool) error {
	return usageError(cmd, err)
}

func usageError(cmd *cli.Command, err error) error {
	return &exitError{code: exitBadInput, err: fmt.Errorf("%w\nRun '%s --help' for usage.", err, cmd.FullName())}
}

// checkArgs refuses positional arguments where a command takes none (its
// ArgsUsage is empty), and names the commands when the first argument is
// none of them.
func checkArgs(_ context.Context, cmd *cli.Command) error {
	if cmd.NArg() == 0 || cmd.ArgsUsage != "" || cmd.Name == "help" {
		return nil
	}
	if cmd.Root() == cmd {
		var names []string
		for _, c := range cmd.VisibleCommands() {
			names = append(names, c.Name)
		}
		return usageError(cmd, fmt.Errorf("unknown command %q; the commands are %s", cmd.Args().First(), strings.Join(names, ", ")))
	}
	return usageError(cmd, fmt.Errorf("unexpected argument %q (%s takes only flags)", cmd.Args().First(), cmd.FullName()))
}
