package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
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

// exportHooks are seams for the command's tests, which sign an app
// registration in at the fake services: a client that trusts their TLS
// certificate, used for every request and the sign-in, and their token
// endpoint. Unset (always, outside tests) the export uses net/http's
// defaults and Microsoft Entra ID.
var exportHooks struct {
	client    *http.Client
	authority string
}

type exportOptions struct {
	envs                 []string
	allEnvironments      bool
	discovery            string
	discoveryURL         string
	out, graphURL        string
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
		Usage: "pull a complete export (INPUT.md) from a Dataverse environment, or a tenant folder of several, and, with --graph, Microsoft Graph",
		Description: "Reads every table of INPUT.md through the Dataverse Web API (only the listed columns, every\n" +
			"page), and with --graph the licenses and users from Microsoft Graph, into --out, ready for\n" +
			"validate and run. OUT appears only when every table was read; a failed export leaves\n" +
			"OUT.incomplete (EXPORT-INCOMPLETE.txt says why) and exit status 2 (refused: a permission\n" +
			"is missing) or 3 (the service kept failing). An optional table the identity may not read is\n" +
			"left out, said on stderr and in export-manifest.json (--strict fails instead).\n\n" +
			"Several environments (--env repeated, or --all-environments) make --out a tenant folder:\n" +
			"graph/ once (with --graph), environments/NAME/ each an export as above without graph/, and\n" +
			"tenant.json saying which environments and whether each and the whole are complete. NAME is\n" +
			"the environment's URL name (https://contoso-test.crm4.dynamics.com is contoso-test). The\n" +
			"folder appears only when every part is complete; otherwise OUT.incomplete, exit 2 or 3.\n" +
			"--all-environments lists the tenant's environments with the Power Platform admin API (an app\n" +
			"registered as a Power Platform management application, or an administrator), or with\n" +
			"--discovery global the Dataverse Global Discovery Service (a person only).\n\n" +
			"Authentication (--auth, else inferred in this order): token when a token is given;\n" +
			"certificate when --certificate-file is; secret when " + envClientSecret + " or --client-secret-file\n" +
			"is; otherwise azure-cli (az login). device-code signs a person in on another device.\n" +
			"Secrets are read from the environment or files only, never from flag values, and never logged.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "env", Aliases: []string{"environment"}, Usage: "environment `URL`, https://ORG.crm.dynamics.com; repeat it for a tenant folder of several", Destination: &o.envs},
			&cli.BoolFlag{Name: "all-environments", Usage: "export every environment of the tenant that has Dataverse, listed by --discovery, into a tenant folder", Destination: &o.allEnvironments},
			&cli.StringFlag{Name: "discovery", Value: export.DiscoveryAdmin, Usage: "with --all-environments, the `API` that lists them: admin (Power Platform admin API; app registrations and administrators) or global (Dataverse Global Discovery Service; a person's environments, --auth device-code or azure-cli)", Destination: &o.discovery},
			&cli.StringFlag{Name: "discovery-url", Usage: "the discovery API's service root `URL` (default " + export.DefaultAdminURL + " or " + export.DefaultGlobalDiscoveryURL + ")", Destination: &o.discoveryURL},
			outFlag(&o.out, "export `DIR`, or tenant folder (must not exist, be empty, or hold a previous export with --force)"),
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
			forceFlag(&o.force, "replace a previous export at --out"),
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
	switch {
	case o.allEnvironments && len(o.envs) > 0:
		return badInput(errors.New("--env and --all-environments: give one or the other"))
	case !o.allEnvironments && len(o.envs) == 0:
		return badInput(errors.New("--env URL (once, or repeated for a tenant folder) or --all-environments: which environments to export"))
	case !o.allEnvironments && (o.discovery != export.DiscoveryAdmin || o.discoveryURL != ""):
		return badInput(errors.New("--discovery and --discovery-url go with --all-environments"))
	case o.allEnvironments || len(o.envs) > 1:
		return runTenantExport(ctx, o, stdin, w, errW)
	}
	opts := o.options()
	var err error
	if opts.Environment, err = export.ServiceURL("--env", o.envs[0]); err != nil {
		return badInput(err)
	}
	if opts.GraphURL, err = export.ServiceURL("--graph-url", o.graphURL); err != nil {
		return badInput(err)
	}
	auth, err := o.authentication(stdin, errW)
	if err != nil {
		return badInput(err)
	}
	if err := signIn(auth, opts.Scopes(), &opts); err != nil {
		return err
	}
	m, took, err := withProgress(ctx, errW, &opts, fmt.Sprintf("Exporting %s as %s", opts.Environment, opts.AuthDescription),
		func(ctx context.Context) (*export.Manifest, error) { return export.Run(ctx, opts) })
	if err != nil {
		return err
	}
	printExportSummary(w, o.out, m, took)
	return nil
}

// options are the export options every export takes from the flags.
func (o exportOptions) options() export.Options {
	return export.Options{Out: o.out, Graph: o.graph, GraphURL: o.graphURL,
		SignInActivity: !o.noSignIn, Force: o.force, Strict: o.strict, Concurrency: o.concurrency,
		Tenant: o.tenant, ToolVersion: toolVersion(), HTTPClient: exportHooks.client}
}

// signIn gets the credential for scopes into opts.
func signIn(auth export.Auth, scopes export.Scopes, opts *export.Options) error {
	cred, who, err := auth.Credential(scopes)
	if err != nil {
		return badInput(err)
	}
	opts.Credential, opts.AuthDescription = cred, who
	return nil
}

// withProgress runs an export with a progress display that starts with
// line, stopped by Ctrl-C or SIGTERM; a failure comes back as its exit
// status (exportFailure).
func withProgress[T any](ctx context.Context, errW io.Writer, opts *export.Options, line string,
	run func(context.Context) (T, error)) (T, time.Duration, error) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts.Progress = progress.New(errW)
	opts.Progress.Logf("%s", line)
	start := time.Now()
	v, err := run(ctx)
	opts.Progress.Close()
	if err != nil {
		return v, 0, exportFailure(err)
	}
	return v, time.Since(start), nil
}

// runTenantExport writes a tenant folder: several --env, or every
// environment discovery lists.
func runTenantExport(ctx context.Context, o exportOptions, stdin io.Reader, w, errW io.Writer) error {
	opts := export.TenantOptions{Options: o.options()}
	var err error
	if opts.GraphURL, err = export.ServiceURL("--graph-url", o.graphURL); err != nil {
		return badInput(err)
	}
	if o.allEnvironments {
		opts.Discovery = &export.Discovery{API: o.discovery, URL: o.discoveryURL}
	} else {
		if _, err := export.NameEnvironments(o.envs); err != nil {
			return badInput(err) // before a credential is asked for
		}
		opts.Environments = o.envs
	}
	auth, err := o.authentication(stdin, errW)
	if err != nil {
		return badInput(err)
	}
	switch {
	case auth.Method == export.AuthToken && o.allEnvironments:
		return badInput(errors.New("--all-environments with --auth token: a token given is for one service and cannot list " +
			"the tenant's environments; use an app registration (secret or certificate), device-code or azure-cli, or give the environments with --env"))
	case auth.Method == export.AuthToken:
		return badInput(errors.New("several --env with --auth token: a token is issued for one environment and is never sent " +
			"to another; use an app registration (secret or certificate), device-code or azure-cli, or export one environment at a time"))
	case o.allEnvironments && o.discovery == export.DiscoveryGlobal && (auth.Method == export.AuthSecret || auth.Method == export.AuthCertificate):
		return badInput(errors.New("--discovery global with an app registration: the Global Discovery Service accepts a person's " +
			"token only (--auth device-code or azure-cli); an app uses --discovery admin, once registered as a Power Platform management application"))
	}
	if err := signIn(auth, export.Scopes{}, &opts.Options); err != nil {
		return err
	}
	what := fmt.Sprintf("%d environments", len(o.envs))
	if o.allEnvironments {
		what = "every environment of the tenant"
	}
	line := fmt.Sprintf("Exporting %s into the tenant folder %s as %s", what, o.out, opts.AuthDescription)
	m, took, err := withProgress(ctx, errW, &opts.Options, line,
		func(ctx context.Context) (*export.TenantManifest, error) { return export.RunTenant(ctx, opts) })
	if err != nil {
		return err
	}
	printTenantSummary(w, o.out, m, took)
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
	if exportHooks.client != nil {
		a.ClientOptions = azcore.ClientOptions{Transport: exportHooks.client,
			Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: exportHooks.authority}}
		a.DisableInstanceDiscovery = true
	}
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

func printTenantSummary(w io.Writer, out string, m *export.TenantManifest, took time.Duration) {
	fmt.Fprintf(w, "Exported %d %s to the tenant folder %s in %s:\n", len(m.Environments),
		plural(len(m.Environments), "environment", "environments"), out, took.Round(100*time.Millisecond))
	var parts []export.PartResult
	var labels []string
	for _, e := range m.Environments {
		parts, labels = append(parts, e.PartResult), append(labels, e.Path+"  "+e.URL)
	}
	if m.Graph != nil {
		parts, labels = append(parts, *m.Graph), append(labels, m.Graph.Path+"  "+m.GraphURL)
	}
	for i, p := range parts {
		fmt.Fprintf(w, "  %s: %d files, %s rows\n", strings.TrimRight(labels[i], " "), p.Files, thousands(p.Rows))
		for _, reason := range p.SkippedTables {
			fmt.Fprintf(w, "    left out (the audit reports the rules that need it as not evaluated): %s\n", reason)
		}
	}
	for _, s := range m.Skipped {
		fmt.Fprintf(w, "Not exported: environment %q (%s): %s\n", s.DisplayName, s.ID, s.Reason)
	}
	first := out + "/" + export.EnvironmentsDir + "/" + m.Environments[0].Name
	fmt.Fprintf(w, "Written with %s (each part's outcome) and an %s per part. Each environments/NAME is an export: "+
		"d365audit validate --input %s\n", export.TenantManifestFile, export.ManifestFile, first)
}
