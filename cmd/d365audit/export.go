package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/d365audit/d365audit/export"
	"github.com/d365audit/d365audit/internal/progress"
)

// Environment variables that carry secrets. A secret is never a flag value:
// flag values land in shell history and in every process listing.
const (
	envClientSecret    = "AZURE_CLIENT_SECRET"
	envCertPassword    = "AZURE_CLIENT_CERTIFICATE_PASSWORD"
	envAccessToken     = "D365AUDIT_ACCESS_TOKEN"
	envGraphToken      = "D365AUDIT_GRAPH_ACCESS_TOKEN"
	envTenantID        = "AZURE_TENANT_ID"
	envClientID        = "AZURE_CLIENT_ID"
	envCertificatePath = "AZURE_CLIENT_CERTIFICATE_PATH"
)

type exportOptions struct {
	env, out, graphURL   string
	tenant, clientID     string
	auth                 string
	secretFile, certFile string
	tokenFile, graphFile string
	graph, noSignIn      bool
	force, strict        bool
	concurrency          int
}

func newExportCommand() *cli.Command {
	var o exportOptions
	return &cli.Command{
		Name:  "export",
		Usage: "pull a complete export (INPUT.md) from a Dataverse environment and, with --graph, Microsoft Graph",
		Description: "Reads every table of INPUT.md through the Dataverse Web API (only the listed columns, every\n" +
			"page), and with --graph the licenses and users from Microsoft Graph, into --out, ready for\n" +
			"validate and run. OUT appears only when every table was read; a failed export leaves\n" +
			"OUT.incomplete (EXPORT-INCOMPLETE.txt says why) and exit status 2 (refused: a permission\n" +
			"is missing) or 3 (the service kept failing). An optional table the identity may not read is\n" +
			"left out, said on stderr and in export-manifest.json (--strict fails instead).\n\n" +
			"Authentication (--auth, else inferred in this order): token when a token is given;\n" +
			"certificate when --certificate-file is; secret when " + envClientSecret + " or --client-secret-file\n" +
			"is; otherwise azure-cli (az login). device-code signs a person in on another device.\n" +
			"Secrets are read from the environment or files only, never from flag values, and never logged.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "env", Usage: "environment `URL`, https://ORG.crm.dynamics.com", Required: true, Destination: &o.env},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "export `DIR` (must not exist, be empty, or hold a previous export with --force)", Required: true, Destination: &o.out},
			&cli.BoolFlag{Name: "graph", Usage: "also export graph/subscribedSkus.json and graph/users.json (licenses)", Destination: &o.graph},
			&cli.BoolFlag{Name: "no-sign-in", Usage: "leave signInActivity out of graph/users.json (tenants without Entra ID P1/P2 or AuditLog.Read.All)", Destination: &o.noSignIn},
			&cli.StringFlag{Name: "auth", Usage: "`METHOD`: " + strings.Join(export.AuthMethods, ", ") + " (default: inferred)", Destination: &o.auth},
			&cli.StringFlag{Name: "tenant", Usage: "Microsoft Entra tenant `ID` (or " + envTenantID + ")", Sources: cli.EnvVars(envTenantID), Destination: &o.tenant},
			&cli.StringFlag{Name: "client-id", Usage: "application (client) `ID` of the app registration (or " + envClientID + ")", Sources: cli.EnvVars(envClientID), Destination: &o.clientID},
			&cli.StringFlag{Name: "client-secret-file", Usage: "`FILE` holding the app's client secret (else " + envClientSecret + ")", Destination: &o.secretFile},
			&cli.StringFlag{Name: "certificate-file", Usage: "the app's certificate `FILE`: PEM with its key, or PKCS#12 (password in " + envCertPassword + ")", Sources: cli.EnvVars(envCertificatePath), Destination: &o.certFile},
			&cli.StringFlag{Name: "access-token", Usage: "`FILE` (or - for stdin) holding a Dataverse access token obtained elsewhere (else " + envAccessToken + "); a file, not the token, so it stays out of shell history", Destination: &o.tokenFile},
			&cli.StringFlag{Name: "graph-access-token", Usage: "`FILE` (or -) holding a Microsoft Graph access token, with --auth token and --graph (else " + envGraphToken + ")", Destination: &o.graphFile},
			&cli.StringFlag{Name: "graph-url", Value: export.DefaultGraphURL, Usage: "Microsoft Graph service root `URL` (national clouds)", Destination: &o.graphURL},
			&cli.BoolFlag{Name: "force", Usage: "replace a previous export at --out", Destination: &o.force},
			&cli.BoolFlag{Name: "strict", Usage: "fail when an optional table is refused instead of leaving it out", Destination: &o.strict},
			&cli.IntFlag{Name: "concurrency", Value: 4, Usage: "tables read at once (`N`, 1 to 16)", Destination: &o.concurrency},
		},
		Action: action(func(ctx context.Context, cmd *cli.Command) error {
			stdin := cmd.Root().Reader
			if stdin == nil {
				stdin = os.Stdin
			}
			return runExport(ctx, o, stdin, cmd.Writer, cmd.ErrWriter)
		}),
	}
}

func runExport(ctx context.Context, o exportOptions, stdin io.Reader, w, errW io.Writer) error {
	if o.concurrency < 1 || o.concurrency > 16 {
		return badInput(fmt.Errorf("--concurrency %d: expected 1 to 16", o.concurrency))
	}
	opts := export.Options{Environment: o.env, Out: o.out, Graph: o.graph, GraphURL: o.graphURL,
		SignInActivity: !o.noSignIn, Force: o.force, Strict: o.strict, Concurrency: o.concurrency,
		Tenant: o.tenant, ToolVersion: toolVersion()}
	var err error
	if opts.Environment, err = export.ServiceURL("--env", o.env); err != nil {
		return badInput(err)
	}
	if opts.GraphURL, err = export.ServiceURL("--graph-url", o.graphURL); err != nil {
		return badInput(err)
	}
	auth, err := o.authentication(stdin, errW)
	if err != nil {
		return badInput(err)
	}
	cred, who, err := auth.Credential(opts.Scopes())
	if err != nil {
		return badInput(err)
	}
	opts.Credential, opts.AuthDescription = cred, who

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts.Progress = progress.New(errW)
	opts.Progress.Logf("Exporting %s as %s", opts.Environment, who)
	start := time.Now()
	m, err := export.Run(ctx, opts)
	opts.Progress.Close()
	if err != nil {
		return exportFailure(err)
	}
	printExportSummary(w, o.out, m, time.Since(start))
	return nil
}

// exportFailure maps a failed export to its exit status: the caller's to
// fix (options, credentials, a missing permission) is 2, the service's 3.
func exportFailure(err error) error {
	var ue *export.UsageError
	var re *export.RefusedError
	var ae *export.AuthError
	if errors.As(err, &ae) {
		return badInput(fmt.Errorf("%w\nIf this credential cannot work here, %s", err, authHint))
	}
	if errors.As(err, &ue) || errors.As(err, &re) {
		return badInput(err)
	}
	return &exitError{code: exitInternal, err: err}
}

// authHint says which --auth to use when no credential is usable.
const authHint = "choose one with --auth: secret (" + envTenantID + ", " + envClientID + " and " + envClientSecret +
	"), certificate (--certificate-file), token (--access-token FILE) or device-code (a person signs in on another device); " +
	"azure-cli needs the Azure CLI installed and az login"

// authentication gathers the method and its secrets from the flags, the
// environment and the files they name.
func (o exportOptions) authentication(stdin io.Reader, errW io.Writer) (export.Auth, error) {
	a := export.Auth{Method: o.auth, TenantID: o.tenant, ClientID: o.clientID, DeviceCodePrompt: errW}
	var err error
	if a.DataverseToken, err = secret("--access-token", o.tokenFile, envAccessToken, stdin, errW); err != nil {
		return a, err
	}
	if a.GraphToken, err = secret("--graph-access-token", o.graphFile, envGraphToken, stdin, errW); err != nil {
		return a, err
	}
	if a.ClientSecret, err = secret("--client-secret-file", o.secretFile, envClientSecret, stdin, errW); err != nil {
		return a, err
	}
	if o.tokenFile == "-" && o.graphFile == "-" {
		return a, errors.New("--access-token and --graph-access-token cannot both read stdin")
	}
	if a.Method == "" {
		switch {
		case a.DataverseToken != "":
			a.Method = export.AuthToken
		case o.certFile != "":
			a.Method = export.AuthCertificate
		case a.ClientSecret != "":
			a.Method = export.AuthSecret
		default:
			a.Method = export.AuthAzureCLI
		}
	}
	if a.Method == export.AuthAzureCLI {
		if _, err := exec.LookPath("az"); err != nil {
			what := "no secret, certificate or token was given and the Azure CLI (az) is not installed"
			if o.auth != "" {
				what = "--auth azure-cli: the Azure CLI (az) is not installed"
			}
			return a, fmt.Errorf("no usable credential: %s; %s", what, authHint)
		}
	}
	if a.Method == export.AuthCertificate {
		if o.certFile == "" {
			return a, errors.New("--auth certificate needs --certificate-file")
		}
		if a.Certificate, err = os.ReadFile(o.certFile); err != nil {
			return a, fmt.Errorf("--certificate-file: %w", err)
		}
		warnIfShared(errW, "--certificate-file", o.certFile)
		a.CertificatePassword = os.Getenv(envCertPassword)
	}
	return a, nil
}

// secret reads a secret from the file a flag names ("-" for stdin), else
// from an environment variable. An error never repeats the flag's value:
// it may be the secret itself, given where a file was expected.
func secret(flag, file, env string, stdin io.Reader, errW io.Writer) (string, error) {
	if file == "" {
		return strings.TrimSpace(os.Getenv(env)), nil
	}
	var b []byte
	var err error
	if file == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(file)
		warnIfShared(errW, flag, file)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is the flag's value
	}
	if err != nil {
		return "", fmt.Errorf("%s: cannot read the file it names (it takes a FILE holding the secret, or - for stdin; "+
			"the secret itself is never a flag value): %v", flag, err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("%s: the file is empty", flag)
	}
	return s, nil
}

// warnIfShared says when a secret's file can be read by other users.
func warnIfShared(errW io.Writer, flag, file string) {
	if st, err := os.Stat(file); err == nil && st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(errW, "d365audit: warning: %s: the file can be read by other users (chmod 600 it)\n", flag)
	}
}

func printExportSummary(w io.Writer, out string, m *export.Manifest, took time.Duration) {
	exported := 0
	for _, t := range m.Tables {
		if t.Status == export.StatusExported {
			exported++
		}
	}
	fmt.Fprintf(w, "Exported %s to %s in %s: %d tables, %d files, %s rows\n", m.Environment, out,
		took.Round(100*time.Millisecond), exported, len(m.Files), thousands(m.Rows()))
	if skipped := m.Skipped(); len(skipped) > 0 {
		fmt.Fprintln(w, "Left out (the audit reports the rules that need them as not evaluated):")
		for _, t := range skipped {
			fmt.Fprintf(w, "  %s\n", t.Reason)
		}
	}
	fmt.Fprintf(w, "Written with %s (row counts and SHA-256 of every file). Next: d365audit validate --input %s\n", export.ManifestFile, out)
}
