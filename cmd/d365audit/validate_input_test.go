package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Input the audit must not swallow (issue 15): the contoso sample with one
// defect each. validate lists it, located, and exits 2; run refuses it with
// exit 2 and writes nothing.
func TestValidateRefusesSwallowedInput(t *testing.T) {
	cases := []struct {
		name       string
		file       string
		old, new   string
		want       string
		wantStderr string
	}{
		// Before: exit 3, "load table privileges: Invalid Input Error:
		// Invalid unicode (byte sequence mismatch)".
		{name: "CSV not UTF-8", file: "privileges.csv",
			old: ",prvCreateAccount,", new: ",prvCreate\xc4ccount,",
			want: `privileges.csv: line 2, column name: invalid UTF-8: "prvCreate\xc4ccount" (files must be UTF-8)`},
		// Before: accepted, the name read as "Zo\uFFFD M\uFFFDller".
		{name: "JSON not UTF-8", file: "systemusers.json",
			old: `"fullname": "Zoë Müller"`, new: "\"fullname\": \"Zo\xeb M\xfcller\"",
			want: `systemusers.json: $.value[0].fullname: invalid UTF-8: "Zo\xeb M\xfcller" (files must be UTF-8)`},
		// Before: accepted; the access matrix took the highest bit.
		{name: "depth mask", file: "roleprivilegescollection.csv",
			old:  "11d42595-efb2-402f-a5da-882ce34574b0,35ea0aac-a259-eb11-8b8b-000d3a0a966b,a95a6ee2-f471-4525-886d-dc37a8cede57,8",
			new:  "11d42595-efb2-402f-a5da-882ce34574b0,35ea0aac-a259-eb11-8b8b-000d3a0a966b,a95a6ee2-f471-4525-886d-dc37a8cede57,3",
			want: "roleprivilegescollection.csv: line 2, column privilegedepthmask: 3 is not a depth (expected 1 Basic, 2 Local, 4 Deep or 8 Global)"},
		// Before: accepted.
		{name: "access mode", file: "systemusers.json",
			old: `"accessmode": 0,`, new: `"accessmode": 7,`,
			want: "systemusers.json: $.value[0].accessmode: 7 is not an access mode (expected 0 Read-Write, 1 Administrative, 2 Read, 3 Support User, 4 Non-interactive or 5 Delegated Admin)"},
		// Before: accepted, the rows of both arrays loaded.
		{name: "two value arrays", file: "teams.json",
			old: "\n  ]\n}\n", new: "\n  ],\n  \"value\": []\n}\n",
			want: "teams.json: \"value\" appears twice (the second at offset OFFSET): a response body has one row array"},
		// Before: accepted; role_roots walked the loop to its 64-step cap.
		{name: "role root loop", file: "roles.json",
			old:  `"_parentrootroleid_value":"35ea0aac-a259-eb11-8b8b-000d3a0a966b"`,
			new:  `"_parentrootroleid_value":"99d51acb-316d-eb11-83a1-000d3a6cc553"`,
			want: `roles.json: $.value[0].parentrootroleid: the root-role chain loops: 35ea0aac-a259-eb11-8b8b-000d3a0a966b "System Administrator" -> 99d51acb-316d-eb11-83a1-000d3a6cc553 "System Administrator" ($.value[1]) -> 35ea0aac-a259-eb11-8b8b-000d3a0a966b again: no role in it is a root (one naming itself or no role)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, at := editSample(t, c.file, c.old, c.new)
			want := c.want
			if strings.Contains(want, "OFFSET") { // just after the second "value" key
				want = strings.Replace(want, "OFFSET", strconv.Itoa(at+len("\n  ],\n  \"value\"")), 1)
			}

			code, out, errOut := runCLI(t, "validate", "--input", dir)
			if code != exitBadInput {
				t.Fatalf("validate: exit %d, want %d; stderr %s", code, exitBadInput, errOut)
			}
			var errs []string
			for _, line := range strings.Split(out, "\n") {
				if l := strings.TrimSpace(line); strings.HasPrefix(l, "error:") {
					errs = append(errs, strings.TrimSpace(strings.TrimPrefix(l, "error:")))
				}
			}
			if len(errs) != 1 || errs[0] != want {
				t.Errorf("validate errors:\n  %s\nwant:\n  %s", strings.Join(errs, "\n  "), want)
			}
			if !strings.Contains(errOut, "1 error: the export cannot be audited") {
				t.Errorf("validate stderr = %q", errOut)
			}

			outDir := filepath.Join(t.TempDir(), "out")
			if code, _, errOut := runCLI(t, "run", "--input", dir, "--out", outDir); code != exitBadInput {
				t.Errorf("run: exit %d, want %d; stderr %s", code, exitBadInput, errOut)
			}
			if entries, err := os.ReadDir(outDir); err == nil && len(entries) > 0 {
				t.Errorf("run wrote %d entries into %s", len(entries), outDir)
			}
		})
	}
}
