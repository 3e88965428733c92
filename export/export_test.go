package export_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"

	"github.com/d365audit/d365audit/export"
	"github.com/d365audit/d365audit/export/fakeapi"
	"github.com/d365audit/d365audit/internal/progress"
)

const samples = "../samples/contoso"

// harness is a fake environment and an export pointed at it.
type harness struct {
	fake  *fakeapi.Server
	opts  export.Options
	log   *bytes.Buffer
	mu    sync.Mutex
	waits []time.Duration // what the retries asked to wait (never waited)
}

// newHarness starts the fake services over samples/contoso and prepares an
// export authenticated with an app registration's client secret, the way a
// scheduled run does, against the fake token endpoint.
func newHarness(t *testing.T) *harness {
	t.Helper()
	fake, err := fakeapi.New(samples, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	h := &harness{fake: fake, log: &bytes.Buffer{}}
	h.opts = export.Options{
		Environment: fake.Dataverse.URL, Graph: true, GraphURL: fake.Graph.URL, SignInActivity: true,
		Out: filepath.Join(t.TempDir(), "contoso-export"), Tenant: fake.TenantID,
		HTTPClient: fake.Client(), Progress: progress.NewPlain(h.log), ToolVersion: "test",
		Retry: export.RetryPolicy{Sleep: func(_ context.Context, d time.Duration) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.waits = append(h.waits, d)
			return nil
		}},
	}
	h.opts.Progress.SetInterval(0)
	auth := export.Auth{Method: export.AuthSecret, TenantID: fake.TenantID, ClientID: fake.ClientID,
		ClientSecret: fake.ClientSecret, DisableInstanceDiscovery: true,
		ClientOptions: azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: fake.Login.URL + "/"},
			Transport: fake.Client()}}
	cred, who, err := auth.Credential(h.opts.Scopes())
	if err != nil {
		t.Fatal(err)
	}
	h.opts.Credential, h.opts.AuthDescription = cred, who
	return h
}

func (h *harness) run(t *testing.T) (*export.Manifest, error) {
	t.Helper()
	m, err := export.Run(context.Background(), h.opts)
	h.opts.Progress.Close()
	return m, err
}

// The whole contract: every file of INPUT.md, each page as the service
// sent it, the columns of INPUT.md only, a 429 and a 503 retried, and a
// manifest whose counts and hashes match the files.
func TestExportWritesEveryTablePageByPage(t *testing.T) {
	h := newHarness(t)
	h.fake.Fail("systemusers", fakeapi.Fault{Page: 2, Status: http.StatusTooManyRequests, Times: 1, RetryAfter: "7",
		Message: "Number of requests exceeded the limit of 6000 over time window of 300 seconds."})
	h.fake.Fail("roles", fakeapi.Fault{Page: 1, Status: http.StatusServiceUnavailable, Times: 1})
	h.fake.Fail("users", fakeapi.Fault{Page: 1, Status: http.StatusTooManyRequests, Times: 1,
		RetryAfter: time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)})
	start := time.Now()
	m, err := h.run(t)
	if err != nil {
		t.Fatalf("export: %v\nlog:\n%s", err, h.log)
	}
	t.Logf("export of samples/contoso against the fake services: %s, %d files, %d rows", time.Since(start).Round(time.Millisecond), len(m.Files), m.Rows())

	if !m.Complete || len(m.Skipped()) != 0 {
		t.Errorf("manifest complete=%v skipped=%v", m.Complete, m.Skipped())
	}
	for _, tr := range m.Tables {
		want := h.fake.Rows(tr.Name)
		if tr.Name == "privilegeobjecttypecodes" {
			want = 144 // the sample's rows, rebuilt from EntityDefinitions
		}
		if tr.Status != export.StatusExported || tr.Rows != int64(want) {
			t.Errorf("%s: %s with %d rows, want exported with %d", tr.Name, tr.Status, tr.Rows, want)
		}
	}
	// Paging: 25 rows a page, so roleprivilegescollection (881 rows) comes as 36 files.
	for _, name := range []string{"roleprivilegescollection.json", "roleprivilegescollection.36.json", "graph/users.json", "graph/users.2.json", "graph/subscribedSkus.json", "organizations.json"} {
		if _, err := os.Stat(filepath.Join(h.opts.Out, name)); err != nil {
			t.Errorf("export lacks %s", name)
		}
	}
	if _, err := os.Stat(filepath.Join(h.opts.Out, "roleprivilegescollection.37.json")); err == nil {
		t.Error("a page past the last one")
	}
	for _, f := range m.Files {
		b, err := os.ReadFile(filepath.Join(h.opts.Out, f.Path))
		sum := sha256.Sum256(b)
		if err != nil || hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(b)) != f.Bytes {
			t.Errorf("%s: the manifest's hash or size does not match the file", f.Path)
		}
	}
	onDisk, _ := export.ReadManifest(h.opts.Out)
	if onDisk == nil || !onDisk.Complete || len(onDisk.Files) != len(m.Files) {
		t.Errorf("export-manifest.json on disk: %+v", onDisk)
	}

	// Every Dataverse query asked for exactly the columns of INPUT.md.
	wantSelect := map[string]string{}
	for _, tb := range export.Tables(true, true) {
		if _, q, ok := strings.Cut(tb.Query, "$select="); ok {
			wantSelect[fakeTableName(tb)], _, _ = strings.Cut(q, "&")
		}
	}
	requests := map[string]int{}
	for _, r := range h.fake.Requests() {
		if r.Service == "login" {
			continue
		}
		requests[r.Table+"#"+strconv.Itoa(r.Page)]++
		if want, ok := wantSelect[r.Table]; ok && r.Select != want {
			t.Errorf("%s page %d: $select=%s, want %s", r.Table, r.Page, r.Select, want)
		}
		if r.Service == "dataverse" && r.Prefer != "odata.maxpagesize=5000" {
			t.Errorf("%s: Prefer %q", r.Table, r.Prefer)
		}
		if r.Status == http.StatusUnauthorized {
			t.Errorf("%s: a request without the right token", r.Table)
		}
	}
	// Retries: the throttled and unavailable pages were asked twice, the rest once.
	for key, n := range requests {
		want := 1
		if key == "systemusers#2" || key == "roles#1" || key == "users#1" {
			want = 2
		}
		if n != want {
			t.Errorf("%s requested %d times, want %d", key, n, want)
		}
	}
	if len(h.waits) != 3 {
		t.Fatalf("waits %v, want three (429, 503, 429)", h.waits)
	}
	var sawRetryAfter, sawDate bool
	for _, d := range h.waits {
		sawRetryAfter = sawRetryAfter || d == 7*time.Second
		sawDate = sawDate || (d > time.Second && d <= 3*time.Second)
		if d <= 0 || d > 7*time.Second {
			t.Errorf("a wait of %s", d)
		}
	}
	if !sawRetryAfter || !sawDate {
		t.Errorf("Retry-After not honoured (seconds %v, HTTP date %v): waits %v", sawRetryAfter, sawDate, h.waits)
	}

	// Nothing is left beside the export.
	entries, _ := os.ReadDir(filepath.Dir(h.opts.Out))
	if len(entries) != 1 {
		t.Errorf("left beside the export: %v", entries)
	}
	assertNoSecrets(t, h, h.opts.Out)
	for _, want := range []string{"systemusers: HTTP 429 Too Many Requests; retry 1 of 7 in 7s", "roles: HTTP 503 Service Unavailable; retry 1 of 7", fmt.Sprintf("systemusers: done, %d rows", h.fake.Rows("systemusers"))} {
		if !strings.Contains(h.log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, h.log)
		}
	}
}

// fakeTableName is how the fake records a table's requests.
func fakeTableName(t export.Table) string {
	if t.Name == "privilegeobjecttypecodes" {
		return "EntityDefinitions"
	}
	return t.Name
}

// assertNoSecrets checks the log and every file under dir for the client
// secret and the access tokens.
func assertNoSecrets(t *testing.T, h *harness, dir string) {
	t.Helper()
	secrets := []string{h.fake.ClientSecret, h.fake.DataverseToken, h.fake.GraphToken}
	for _, s := range secrets {
		if strings.Contains(h.log.String(), s) {
			t.Errorf("the log holds a secret")
		}
	}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a secret", path)
			}
		}
		return nil
	})
}

// An optional table the app may not read is left out, said in the log and
// the manifest; with Strict it fails the export.
func TestRefusedOptionalTableIsSkippedWithTheReason(t *testing.T) {
	h := newHarness(t)
	h.opts.Graph = false
	h.fake.Fail("teamprofilescollection", fakeapi.Fault{Page: 1, Status: http.StatusForbidden,
		Message: "Principal user (Id=1b2c, type=8, roleCount=1, privilegeCount=40) is missing prvReadTeam privilege (Id=2ac9) on OTC=9 for entity 'team'."})
	m, err := h.run(t)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	skipped := m.Skipped()
	if len(skipped) != 1 || skipped[0].Name != "teamprofilescollection" ||
		!strings.Contains(skipped[0].Reason, "HTTP 403 Forbidden: the caller's security role lacks prvReadTeam") {
		t.Fatalf("skipped: %+v", skipped)
	}
	if !strings.Contains(h.log.String(), "teamprofilescollection: skipped: teamprofilescollection: HTTP 403") {
		t.Errorf("the log does not say the table was skipped:\n%s", h.log)
	}
	if _, err := os.Stat(filepath.Join(h.opts.Out, "teamprofilescollection.json")); err == nil {
		t.Error("a refused table has a file")
	}
	if m.GraphURL != "" {
		t.Errorf("graph in the manifest of an export without --graph: %q", m.GraphURL)
	}

	strict := newHarness(t)
	strict.opts.Graph, strict.opts.Strict = false, true
	strict.fake.Fail("teamprofilescollection", fakeapi.Fault{Page: 1, Status: http.StatusForbidden})
	if _, err := strict.run(t); err == nil {
		t.Error("Strict export with a refused table succeeded")
	}
}

// A required table refused: the export fails naming the table and the
// privilege, and leaves nothing at the output directory, only a directory
// marked incomplete whose top level holds no table.
func TestRefusedRequiredTableLeavesNoExport(t *testing.T) {
	h := newHarness(t)
	h.fake.Fail("roleprivilegescollection", fakeapi.Fault{Page: 3, Status: http.StatusForbidden,
		Message: "Principal user (Id=1b2c, type=8, roleCount=1, privilegeCount=40) is missing prvReadRole privilege (Id=886b) on OTC=1036 for entity 'role'."})
	_, err := h.run(t)
	var ie *export.IncompleteError
	var re *export.RefusedError
	if !errors.As(err, &ie) || !errors.As(err, &re) {
		t.Fatalf("err = %v, want an IncompleteError with a RefusedError", err)
	}
	for _, want := range []string{"roleprivilegescollection: HTTP 403 Forbidden", "lacks prvReadRole",
		"Organization-level Read on Security Role (prvReadRole)", "nothing was written to the output directory"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if _, serr := os.Stat(h.opts.Out); serr == nil {
		t.Fatal("a failed export left its output directory")
	}
	inc := h.opts.Out + ".incomplete"
	if ie.Dir != inc {
		t.Errorf("incomplete dir %q, want %q", ie.Dir, inc)
	}
	top, _ := os.ReadDir(inc)
	var names []string
	for _, e := range top {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "EXPORT-INCOMPLETE.txt export-manifest.json fetched" {
		t.Errorf("incomplete dir holds %v", names)
	}
	marker, _ := os.ReadFile(filepath.Join(inc, export.IncompleteMarker))
	if !strings.HasPrefix(string(marker), "THIS IS NOT AN EXPORT") || !strings.Contains(string(marker), "prvReadRole") {
		t.Errorf("marker:\n%s", marker)
	}
	m, _ := export.ReadManifest(inc)
	if m == nil || m.Complete || !strings.Contains(m.Error, "prvReadRole") {
		t.Fatalf("incomplete manifest: %+v", m)
	}
	status := map[string]string{}
	for _, tr := range m.Tables {
		status[tr.Name] = tr.Status
	}
	if status["roleprivilegescollection"] != export.StatusFailed || status["businessunits"] != export.StatusExported {
		t.Errorf("table statuses %v", status)
	}
	if _, err := os.Stat(filepath.Join(inc, "fetched", "roleprivilegescollection.2.json")); err != nil {
		t.Errorf("the pages fetched before the failure are not kept for diagnosis: %v", err)
	}
	assertNoSecrets(t, h, inc)

	// A second failure replaces the first one's leftovers; a success then
	// leaves the output directory and no partial directory.
	if _, err := h.run(t); err == nil {
		t.Fatal("the refusal is permanent")
	}
	entries, _ := os.ReadDir(filepath.Dir(h.opts.Out))
	if len(entries) != 1 || entries[0].Name() != "contoso-export.incomplete" {
		t.Errorf("after two failures: %v", entries)
	}
}

// A service that keeps failing is given up on after MaxAttempts.
func TestPersistentFailureGivesUpAfterMaxAttempts(t *testing.T) {
	h := newHarness(t)
	h.opts.Graph = false
	h.opts.Retry.MaxAttempts = 4
	h.fake.Fail("businessunits", fakeapi.Fault{Page: 1, Status: http.StatusServiceUnavailable})
	_, err := h.run(t)
	if err == nil || !strings.Contains(err.Error(), "HTTP 503 Service Unavailable after 4 attempts") {
		t.Fatalf("err = %v", err)
	}
	n := 0
	for _, r := range h.fake.Requests() {
		if r.Table == "businessunits" {
			n++
		}
	}
	if n != 4 {
		t.Errorf("businessunits requested %d times, want 4", n)
	}
}

// A token the environment does not accept: a 401 that says what to check.
func TestRejectedTokenSaysWhatToCheck(t *testing.T) {
	h := newHarness(t)
	h.opts.Graph = false
	cred, _, err := export.Auth{Method: export.AuthToken, DataverseToken: "not-the-right-token"}.Credential(h.opts.Scopes())
	if err != nil {
		t.Fatal(err)
	}
	h.opts.Credential = cred
	_, err = h.run(t)
	if err == nil || !strings.Contains(err.Error(), "HTTP 401 Unauthorized: the environment did not accept the token") ||
		!strings.Contains(err.Error(), "Application users") {
		t.Fatalf("err = %v", err)
	}
}

// A previous export is replaced only when asked, and only when it holds
// nothing the export did not write.
func TestOutputDirectoryIsReplacedOnlyWhenSafe(t *testing.T) {
	h := newHarness(t)
	h.opts.Graph = false
	if _, err := h.run(t); err != nil {
		t.Fatal(err)
	}
	var ue *export.UsageError
	if _, err := export.Run(context.Background(), h.opts); !errors.As(err, &ue) || !strings.Contains(err.Error(), "pass --force") {
		t.Fatalf("second export without Force: %v", err)
	}
	h.opts.Force = true
	if _, err := export.Run(context.Background(), h.opts); err != nil {
		t.Fatalf("second export with Force: %v", err)
	}
	os.WriteFile(filepath.Join(h.opts.Out, "policy.yaml"), []byte("thresholds: {}\n"), 0o644)
	if _, err := export.Run(context.Background(), h.opts); !errors.As(err, &ue) || !strings.Contains(err.Error(), "holds policy.yaml, which no export wrote") {
		t.Fatalf("export over a directory with a policy: %v", err)
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), nil, 0o644)
	h.opts.Out = other
	if _, err := export.Run(context.Background(), h.opts); !errors.As(err, &ue) || !strings.Contains(err.Error(), "holds no export") {
		t.Fatalf("export into a directory that is no export: %v", err)
	}
}

func TestServiceURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://contoso.crm4.dynamics.com/":                 "https://contoso.crm4.dynamics.com",
		"https://contoso.crm.dynamics.com":                   "https://contoso.crm.dynamics.com",
		"http://127.0.0.1:8080":                              "http://127.0.0.1:8080",
		"http://contoso.crm.dynamics.com":                    "",
		"https://contoso.crm.dynamics.com/main.aspx?appid=1": "",
		"contoso": "",
	} {
		got, err := export.ServiceURL("--env", raw)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("ServiceURL(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
}

// The certificate of an app registration, the other scheduled-run method:
// azidentity signs a client assertion the fake token endpoint verifies.
func TestCertificateCredential(t *testing.T) {
	h := newHarness(t)
	h.opts.Graph = false
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(0x2a), Subject: pkix.Name{CommonName: "d365audit test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	h.fake.ClientCertificate, _ = x509.ParseCertificate(der)
	pemFile := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})...)
	auth := export.Auth{Method: export.AuthCertificate, TenantID: h.fake.TenantID, ClientID: h.fake.ClientID,
		Certificate: pemFile, DisableInstanceDiscovery: true,
		ClientOptions: azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: h.fake.Login.URL + "/"},
			Transport: h.fake.Client()}}
	cred, who, err := auth.Credential(h.opts.Scopes())
	if err != nil {
		t.Fatal(err)
	}
	if who != "certificate 2A of app "+h.fake.ClientID+" in tenant "+h.fake.TenantID {
		t.Errorf("described as %q", who)
	}
	h.opts.Credential = cred
	if _, err := h.run(t); err != nil {
		t.Fatal(err)
	}
	if _, _, err := (export.Auth{Method: export.AuthCertificate, TenantID: "t", ClientID: "c", Certificate: []byte("junk")}).Credential(h.opts.Scopes()); err == nil {
		t.Error("a certificate file that is no certificate was accepted")
	}
}
