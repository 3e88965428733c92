package testenv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The person of samples/contoso with a paid Dynamics 365 license and no
// role: LIC_NO_ROLE and USER_NO_ROLE there.
const NoahProdID = "3d76d5e9-e14b-ef11-8fe7-000d3a35f5fd"

// PaymentCreator is the root role of Contoso Payment Creator, whose
// privileges drift in the tenant's second environment.
const PaymentCreator = "47e78c0c-6cdb-ef11-87e0-000d3a25dce4"

var guidPattern = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// WriteTenant makes a tenant folder of two environments from samples/contoso (src):
// prod is the sample as it is; sales is a copy in which every systemuserid is
// another (as in a real second environment) and Noah Fischer holds a role.
// The Graph files, the policy, the waivers, the price list and the baseline
// sit once at the root.
func WriteTenant(t testing.TB, src string) string {
	t.Helper()
	root := t.TempDir()
	userIDs := map[string]string{}
	raw, err := os.ReadFile(filepath.Join(src, "systemusers.json"))
	if err != nil {
		t.Fatal(err)
	}
	raw2, err := os.ReadFile(filepath.Join(src, "systemusers.2.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range [][]byte{raw, raw2} {
		var page struct {
			Value []struct {
				ID string `json:"systemuserid"`
			} `json:"value"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Value {
			userIDs[strings.ToLower(u.ID)] = "5a1e5" + strings.ToLower(u.ID)[5:]
		}
	}
	copyTree(t, src, root, func(rel string) (string, bool) {
		top := strings.Split(filepath.ToSlash(rel), "/")[0]
		switch top {
		case "graph", "policy.yaml", "waivers.yaml", "prices.csv", "baseline":
			return rel, true
		}
		return filepath.Join("environments", "prod", rel), true
	}, nil)
	copyTree(t, src, root, func(rel string) (string, bool) {
		top := strings.Split(filepath.ToSlash(rel), "/")[0]
		switch top {
		case "graph", "policy.yaml", "waivers.yaml", "prices.csv", "baseline":
			return "", false
		}
		return filepath.Join("environments", "sales", rel), true
	}, func(rel string, b []byte) []byte {
		b = guidPattern.ReplaceAllFunc(b, func(g []byte) []byte {
			if n, ok := userIDs[strings.ToLower(string(g))]; ok {
				return []byte(n)
			}
			return g
		})
		if rel == "roleprivilegescollection.csv" { // drift: one privilege of a custom role
			lines := strings.Split(string(b), "\n")
			for i, l := range lines {
				if strings.Contains(l, ","+PaymentCreator+",") {
					mask := l[strings.LastIndex(l, ",")+1:]
					other := "8"
					if strings.TrimSpace(mask) == "8" {
						other = "1"
					}
					lines[i] = l[:strings.LastIndex(l, ",")+1] + other
					break
				}
			}
			b = []byte(strings.Join(lines, "\n"))
		}
		if rel == "systemuserrolescollection.csv" {
			b = append(b, []byte("0a0a0a0a-0000-4000-8000-000000000001,5a1e5"+NoahProdID[5:]+
				",35ea0aac-a259-eb11-8b8b-000d3a0a966b,Noah Fischer,System Administrator\n")...)
		}
		return b
	})
	return root
}

func copyTree(t testing.TB, src, dst string, place func(rel string) (string, bool), edit func(rel string, b []byte) []byte) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to, ok := place(rel)
		if !ok {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if edit != nil {
			b = edit(filepath.ToSlash(rel), b)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, to)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, to), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// CopyEnvironment copies environment from of a tenant folder as environment
// to, unchanged.
func CopyEnvironment(t testing.TB, root, from, to string) {
	t.Helper()
	src := filepath.Join(root, "environments", from)
	copyTree(t, src, filepath.Join(root, "environments", to), func(rel string) (string, bool) { return rel, true }, nil)
}
