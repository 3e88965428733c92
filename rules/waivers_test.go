package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeWaivers(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "waivers.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWaiverHoldsThroughItsExpiryDay(t *testing.T) {
	ws, err := LoadWaivers(writeWaivers(t, `
- rule: USER_NO_ROLE
  subject: Noah Fischer
  reason: joins the sales team next month
  owner: it@contoso.com
  expires: 2026-11-20
`))
	if err != nil {
		t.Fatal(err)
	}
	f := []Finding{{Rule: "USER_NO_ROLE", SubjectType: "user", SubjectID: "3d76d5e9-e14b-ef11-8fe7-000d3a35f5fd", SubjectName: "Noah Fischer",
		Fingerprint: "USER_NO_ROLE:user:3d76d5e9-e14b-ef11-8fe7-000d3a35f5fd"}}
	st := ApplyWaivers(f, ws, mustTime("2026-11-20").Add(23*3600e9))
	if !f[0].Waived || st[0].Expired || len(st[0].Matched) != 1 {
		t.Errorf("on its expiry day the waiver must hold: waived=%v expired=%v", f[0].Waived, st[0].Expired)
	}
	f[0].Waived, f[0].Waiver = false, nil
	st = ApplyWaivers(f, ws, mustTime("2026-11-21"))
	if f[0].Waived || !st[0].Expired || len(st[0].Matched) != 1 {
		t.Errorf("the day after, the finding must show and the waiver be reported expired: waived=%v expired=%v", f[0].Waived, st[0].Expired)
	}
}

func TestWaiverMatchesByIDNameOrFingerprintOnly(t *testing.T) {
	f := Finding{Rule: "ROLE_UNUSED", SubjectID: "85bc5652-7a68-ef11-85af-000d3a53555c", SubjectName: "Legacy", Fingerprint: "ROLE_UNUSED:role:85bc5652-7a68-ef11-85af-000d3a53555c"}
	for subject, want := range map[string]bool{
		"{85BC5652-7A68-EF11-85AF-000D3A53555C}": true,
		"legacy":                                 true,
		"ROLE_UNUSED:role:85bc5652-7a68-ef11-85af-000d3a53555c": true,
		"Legacy Quote": false,
	} {
		if got := (Waiver{Rule: "role_unused", Subject: subject}).matches(f); got != want {
			t.Errorf("subject %q matches = %v, want %v", subject, got, want)
		}
	}
	if (Waiver{Rule: "USER_NO_ROLE", Subject: "Legacy"}).matches(f) {
		t.Error("a waiver of another rule matched")
	}
}

func TestIncompleteWaiverIsAnError(t *testing.T) {
	_, err := LoadWaivers(writeWaivers(t, "- rule: USER_NO_ROLE\n  subject: x\n  reason: y\n  expires: 2027-01-01\n"))
	if err == nil || !strings.Contains(err.Error(), "line 1") || !strings.Contains(err.Error(), "owner") {
		t.Fatalf("err = %v; want the line and the missing key", err)
	}
	_, err = LoadWaivers(writeWaivers(t, "- rule: USER_NO_ROLE\n  subject: x\n  reason: y\n  owner: z\n  expires: next year\n"))
	if err == nil || !strings.Contains(err.Error(), "not a date") {
		t.Fatalf("err = %v", err)
	}
}

func TestPolicyRefusesUnknownKeysAndSeverities(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"unknown key":     "thresholds:\n  system_admin_max: 3\n",
		"unknown top key": "treshholds: {}\n",
		"bad severity":    "severity_overrides:\n  USER_NO_ROLE: urgent\n",
		"bad depth":       "separation_of_duties:\n  - id: X\n    side_a: {table: a, privilege: read, min_depth: huge}\n    side_b: {name: prvBulkDelete}\n",
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".yaml")
		os.WriteFile(p, []byte(text), 0o644)
		if _, err := LoadPolicy(p); err == nil {
			t.Errorf("%s: policy accepted", name)
		}
	}
	p := filepath.Join(dir, "ok.yaml")
	os.WriteFile(p, []byte("thresholds:\n  system_administrator_max: 2\n"), 0o644)
	pol, err := LoadPolicy(p)
	if err != nil {
		t.Fatal(err)
	}
	if pol.Thresholds.SystemAdministratorMax != 2 || pol.Thresholds.NonInteractiveMax != 7 || len(pol.InternalRoles.Names) == 0 {
		t.Errorf("a policy file must override only the keys it sets: %+v", pol.Thresholds)
	}
}
