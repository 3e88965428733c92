package skucatalog

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"

	"github.com/d365audit/d365audit/ingest/located/locatedtest"
	"github.com/d365audit/d365audit/internal/guid"
)

// sharedCSV is the read-only reference copy beside the repository
// (/work/shared next to /work/main; ../shared next to a CI clone).
const sharedCSV = "../../../shared/data/licensing/product_names_service_plan_ids_2025-12-30.csv"

// The numbers below were measured with Python's csv module, independently
// of this package: 5,457 data rows; 569 distinct GUIDs once a trailing
// no-break space is trimmed from one; 5,448 distinct (SKU, plan) pairs,
// because 9 pairs are listed twice.
const (
	wantRows      = 5457
	wantSKUs      = 569
	wantPlanPairs = 5448
	wantDupPlans  = wantRows - wantPlanPairs
)

func readShared(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(sharedCSV)
	if os.IsNotExist(err) {
		t.Skipf("shared licensing CSV not found at %s (expected /work/shared beside the repository); skipping real-file tests", sharedCSV)
	}
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestSharedFile(t *testing.T) {
	readShared(t)
	c, err := ReadFile(sharedCSV)
	if err != nil {
		t.Fatal(err)
	}
	if c.Encoding() != UTF8 {
		t.Errorf("Encoding = %s, want %s", c.Encoding(), UTF8)
	}
	if c.Rows() != wantRows {
		t.Errorf("Rows = %d, want %d", c.Rows(), wantRows)
	}
	if c.Len() != wantSKUs || len(c.SKUs()) != wantSKUs {
		t.Errorf("Len = %d, len(SKUs) = %d, want %d", c.Len(), len(c.SKUs()), wantSKUs)
	}
	if c.DuplicatePlanRows() != wantDupPlans {
		t.Errorf("DuplicatePlanRows = %d, want %d", c.DuplicatePlanRows(), wantDupPlans)
	}
	plans := 0
	skus := c.SKUs()
	for i, s := range skus {
		plans += len(s.ServicePlans)
		if i > 0 {
			p := skus[i-1]
			if p.PartNumber > s.PartNumber || p.PartNumber == s.PartNumber && p.ID >= s.ID {
				t.Errorf("SKUs not sorted: %s/%s before %s/%s", p.PartNumber, p.ID, s.PartNumber, s.ID)
			}
		}
		if _, ok := guid.Normalize(s.ID); !ok || strings.ToLower(s.ID) != s.ID {
			t.Errorf("SKU id %q not normalised", s.ID)
		}
		if NormalizePartNumber(s.PartNumber) != s.PartNumber || s.PartNumber == "" {
			t.Errorf("part number %q not normalised", s.PartNumber)
		}
	}
	if plans != wantPlanPairs {
		t.Errorf("%d service plans in all, want %d", plans, wantPlanPairs)
	}
}

func TestSharedSpotChecks(t *testing.T) {
	readShared(t)
	c, err := ReadFile(sharedCSV)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		id, pn, raw, product string
		plans, line          int
		lookups              []string // part numbers that must find it
	}{
		// Plain Dynamics 365 SKU.
		{"1e1a282c-9c54-43a2-9310-98ef728faace", "DYN365_ENTERPRISE_SALES", "DYN365_ENTERPRISE_SALES",
			"Dynamics 365 for Sales Enterprise Edition", 7, 411,
			[]string{"DYN365_ENTERPRISE_SALES", "dyn365_enterprise_sales"}},
		// Inner spaces in the part number.
		{"4f05b1a3-a978-462c-b93f-781c6bee998f", "DYN365_ENTERPRISE_RELATIONSHIP_SALES", "DYN365_ ENTERPRISE _RELATIONSHIP_SALES",
			"Microsoft Relationship Sales solution", 11, 3524,
			[]string{"DYN365_ENTERPRISE_RELATIONSHIP_SALES", "DYN365_ ENTERPRISE _RELATIONSHIP_SALES", " dyn365_enterprise_relationship_sales "}},
		// No-break space after both the part number and the GUID.
		{"420c7602-7f70-4895-9394-d3d679ea36fb", "MCOCAP_FACULTY", "MCOCAP_FACULTY\u00a0",
			"Microsoft Teams Shared Devices for Faculty", 7, 3688,
			[]string{"MCOCAP_FACULTY"}},
		// No-break spaces inside the part number.
		{"c2fe850d-fbbb-4858-b67d-bd0c6e746da3", "O365_w/oTeamsBundle_M3", "O365_w/o\u00a0Teams\u00a0Bundle_M3",
			"Microsoft 365 E3 EEA (no Teams)", 44, 1744,
			[]string{"O365_w/o Teams Bundle_M3"}},
		// En dash in the product name.
		{"b75074f1-4c54-41bf-970f-c9ac871567f5", "Dyn365_Operations_Activity", "Dyn365_Operations_Activity",
			"Dynamics 365 Operations – Activity", 6, 381,
			[]string{"DYN365_OPERATIONS_ACTIVITY"}},
		// Rows split over two places in the file, each plan listed twice.
		{"2d3091c7-0712-488b-b3d8-6b97bde6a1f5", "MCOMEETADV_GOV", "MCOMEETADV_GOV",
			"Microsoft 365 Audio Conferencing for GCC", 2, 1149,
			[]string{"MCOMEETADV_GOV"}},
		// 13 rows, 8 distinct plans.
		{"930cc132-4d6b-4d8c-8818-587d17c50d56", "PROJECTPREMIUM_FACULTY", "PROJECTPREMIUM_FACULTY",
			"Project Plan 5 for faculty", 8, 5212,
			[]string{"PROJECTPREMIUM_FACULTY"}},
	}
	for _, tt := range tests {
		for _, id := range []string{tt.id, strings.ToUpper(tt.id), "{" + tt.id + "}"} {
			s, ok := c.ByID(id)
			if !ok {
				t.Errorf("ByID(%s) found nothing", id)
				continue
			}
			if s.ID != tt.id || s.PartNumber != tt.pn || s.RawPartNumber != tt.raw || s.ProductName != tt.product ||
				len(s.ServicePlans) != tt.plans || s.Line != tt.line {
				t.Errorf("ByID(%s) = %s %q %q %q %d plans line %d, want %s %q %q %q %d plans line %d", id,
					s.ID, s.PartNumber, s.RawPartNumber, s.ProductName, len(s.ServicePlans), s.Line,
					tt.id, tt.pn, tt.raw, tt.product, tt.plans, tt.line)
			}
		}
		for _, pn := range tt.lookups {
			got := c.ByPartNumber(pn)
			if len(got) != 1 || got[0].ID != tt.id {
				t.Errorf("ByPartNumber(%q) = %d SKUs, want just %s", pn, len(got), tt.id)
			}
		}
	}

	// The plans of the Sales Enterprise SKU, in file order.
	s, _ := c.ByID("1e1a282c-9c54-43a2-9310-98ef728faace")
	if p := s.ServicePlans[0]; p != (ServicePlan{ID: "2da8e897-7791-486b-b08f-cc63c8129df7", Name: "DYN365_ENTERPRISE_SALES", FriendlyName: "DYNAMICS 365 FOR SALES"}) {
		t.Errorf("first plan = %+v", p)
	}
	// The first listing of a duplicated plan stands.
	s, _ = c.ByID("2d3091c7-0712-488b-b3d8-6b97bde6a1f5")
	if p := s.ServicePlans[0]; p.Name != "EXCHANGE_FOUNDATION_GOV" {
		t.Errorf("first plan of MCOMEETADV_GOV = %+v, want EXCHANGE_FOUNDATION_GOV", p)
	}

	// One part number, two SKUs.
	got := c.ByPartNumber("mcopstn5")
	if len(got) != 2 || got[0].ID != "54a152dc-90de-4996-93d2-bc47e670fc06" || got[1].ID != "d43177b5-475b-4880-92d4-d54c27b5efbd" {
		t.Errorf("ByPartNumber(mcopstn5) = %+v", got)
	}

	if _, ok := c.ByID("00000000-0000-0000-0000-000000000000"); ok {
		t.Error("ByID(zero) found something")
	}
	if _, ok := c.ByID("not a guid"); ok {
		t.Error("ByID(not a guid) found something")
	}
	if got := c.ByPartNumber("NO_SUCH_SKU"); got != nil {
		t.Errorf("ByPartNumber(NO_SUCH_SKU) = %v", got)
	}

	// Results are copies.
	s, _ = c.ByID("1e1a282c-9c54-43a2-9310-98ef728faace")
	s.ServicePlans[0].Name = "changed"
	c.SKUs()[0].ServicePlans[0].Name = "changed"
	if s2, _ := c.ByID("1e1a282c-9c54-43a2-9310-98ef728faace"); s2.ServicePlans[0].Name == "changed" || c.SKUs()[0].ServicePlans[0].Name == "changed" {
		t.Error("caller can modify the catalog")
	}
}

// TestSharedWindows1252 saves the shared table the way older copies were
// saved, in Windows-1252, and checks it reads to the same catalog.
func TestSharedWindows1252(t *testing.T) {
	data := readShared(t)
	text := strings.TrimPrefix(string(data), "\uFEFF") // no BOM in an ANSI file
	// ReplaceUnsupported turns a rune Windows-1252 lacks into '?' instead of
	// failing; the current table has none (its only non-ASCII characters
	// are U+00A0 and U+2013), so the copy should be exact.
	enc := encoding.ReplaceUnsupported(charmap.Windows1252.NewEncoder())
	ansi, err := enc.Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if utf8.Valid(ansi) {
		t.Fatal("Windows-1252 copy is valid UTF-8; the test would not exercise detection")
	}
	replaced := bytes.Count(ansi, []byte("?")) - strings.Count(text, "?")
	if replaced > 0 {
		t.Logf("%d characters not representable in Windows-1252 became '?'", replaced)
	}

	want, err := Read(bytes.NewReader(data), "utf8.csv")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Read(bytes.NewReader(ansi), "ansi.csv")
	if err != nil {
		t.Fatal(err)
	}
	if got.Encoding() != Windows1252 {
		t.Errorf("Encoding = %s, want %s", got.Encoding(), Windows1252)
	}
	if got.Len() != wantSKUs || got.Rows() != wantRows {
		t.Errorf("Windows-1252 copy: %d SKUs, %d rows; want %d, %d", got.Len(), got.Rows(), wantSKUs, wantRows)
	}
	w, g := want.SKUs(), got.SKUs()
	for i := range min(len(w), len(g)) {
		if w[i].ID != g[i].ID || w[i].PartNumber != g[i].PartNumber {
			t.Fatalf("SKU %d: %s %s, want %s %s", i, g[i].ID, g[i].PartNumber, w[i].ID, w[i].PartNumber)
		}
	}
	// With nothing replaced, everything else must survive too.
	if replaced == 0 && !reflect.DeepEqual(w, g) {
		t.Error("Windows-1252 copy reads to a different catalog")
	}
	s, _ := got.ByID("b75074f1-4c54-41bf-970f-c9ac871567f5")
	if s.ProductName != "Dynamics 365 Operations – Activity" {
		t.Errorf("en dash lost: %q", s.ProductName)
	}
}

const header = "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\r\n"

func TestInlineWindows1252(t *testing.T) {
	// "Dynamics 365 Opérations – Activité" in Windows-1252: é is 0xE9 and
	// the en dash 0x96, which is a C1 control in ISO-8859-1, so a decoder
	// for the wrong code page would get it wrong. The part number ends in
	// a no-break space, 0xA0.
	in := []byte(header +
		"Dynamics 365 Op\xe9rations \x96 Activit\xe9,Dyn365_Operations_Activity\xa0,B75074F1-4C54-41BF-970F-C9AC871567F5,DYN365_RETAIL_Activity,f06754ec-6d72-4bf6-991c-4cb5413d9932,Retail \x93Activity\x94\r\n")
	c, err := Read(bytes.NewReader(in), "old.csv")
	if err != nil {
		t.Fatal(err)
	}
	if c.Encoding() != Windows1252 {
		t.Errorf("Encoding = %s", c.Encoding())
	}
	want := SKU{
		ID:            "b75074f1-4c54-41bf-970f-c9ac871567f5",
		PartNumber:    "Dyn365_Operations_Activity",
		RawPartNumber: "Dyn365_Operations_Activity\u00a0",
		ProductName:   "Dynamics 365 Opérations – Activité",
		ServicePlans: []ServicePlan{{ID: "f06754ec-6d72-4bf6-991c-4cb5413d9932",
			Name: "DYN365_RETAIL_Activity", FriendlyName: "Retail \u201cActivity\u201d"}},
		Line: 2,
	}
	if got := c.SKUs(); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("SKUs = %+v\nwant %+v", got, want)
	}

	// Columns in errors count characters, so for a Windows-1252 file they
	// are byte positions in the original file (18 here, not the 21 of the
	// UTF-8 text).
	bad := []byte(header + "Op\xe9rations \x96 x,P,not-a-guid,N,f06754ec-6d72-4bf6-991c-4cb5413d9932,F\r\n")
	_, err = Read(bytes.NewReader(bad), "old.csv")
	locatedtest.AssertError(t, err, "old.csv:2:18: column GUID: ", `SKU id "not-a-guid" is not a GUID`)
}

func TestColumnsByName(t *testing.T) {
	// Reordered, differently cased, padded headers and an extra column.
	in := "\uFEFF Guid ,Extra,string_id,SERVICE_PLAN_ID,service_plan_name,Service_Plans_Included_Friendly_Names,Product_Display_Name\n" +
		"4F05B1A3-A978-462C-B93F-781C6BEE998F,x,DYN365_ ENTERPRISE _RELATIONSHIP_SALES,{56E3D4CA-2E31-4C3F-8D57-89C1D363503B},P, Friendly ,\"Relationship Sales, solution\"\n" +
		",,,,,,\n" +
		"4f05b1a3-a978-462c-b93f-781c6bee998f,y,dyn365_enterprise_relationship_sales,507172c0-6001-4f4f-80e7-f350507af3e5,Q,G,Relationship Sales\n" +
		"4f05b1a3-a978-462c-b93f-781c6bee998f,y,DYN365_ENTERPRISE_RELATIONSHIP_SALES,56e3d4ca-2e31-4c3f-8d57-89c1d363503b,P2,G,Relationship Sales\n"
	c, err := Read(strings.NewReader(in), "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	if c.Rows() != 3 || c.Len() != 1 || c.DuplicatePlanRows() != 1 || c.Encoding() != UTF8 {
		t.Errorf("rows %d SKUs %d dups %d encoding %s", c.Rows(), c.Len(), c.DuplicatePlanRows(), c.Encoding())
	}
	s := c.SKUs()[0]
	want := SKU{
		ID:            "4f05b1a3-a978-462c-b93f-781c6bee998f",
		PartNumber:    "DYN365_ENTERPRISE_RELATIONSHIP_SALES",
		RawPartNumber: "DYN365_ ENTERPRISE _RELATIONSHIP_SALES",
		ProductName:   "Relationship Sales, solution",
		ServicePlans: []ServicePlan{
			{ID: "56e3d4ca-2e31-4c3f-8d57-89c1d363503b", Name: "P", FriendlyName: "Friendly"},
			{ID: "507172c0-6001-4f4f-80e7-f350507af3e5", Name: "Q", FriendlyName: "G"},
		},
		Line: 2,
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("SKU = %+v\nwant %+v", s, want)
	}
}

func TestErrors(t *testing.T) {
	const okRow = "Prod,PN,4f05b1a3-a978-462c-b93f-781c6bee998f,Plan,56e3d4ca-2e31-4c3f-8d57-89c1d363503b,Friendly\r\n"
	tests := []struct {
		name  string
		in    string
		parts []string
	}{
		{"empty", "", []string{"bad.csv: ", "file is empty"}},
		{"missing headers", "Product_Display_Name,String_Id,Service_Plan_Name\r\n",
			[]string{"bad.csv:1: column GUID: required header is missing", "bad.csv:1: column Service_Plan_Id: required header is missing"}},
		{"duplicate header", "GUID,String_Id,guid\r\n", []string{"bad.csv:1:16: column guid: header appears twice"}},
		{"bad GUID", header + okRow + "Prod,PN,4f05b1a3-a978-462c-b93f-781c6bee998,Plan,56e3d4ca-2e31-4c3f-8d57-89c1d363503b,F\r\n",
			[]string{"bad.csv:3:9: column GUID: ", `SKU id "4f05b1a3-a978-462c-b93f-781c6bee998" is not a GUID`}},
		{"bad plan id", header + "\"Prod, quoted\",PN,4f05b1a3-a978-462c-b93f-781c6bee998f,Plan,x,F\r\n",
			[]string{"bad.csv:2:61: column Service_Plan_Id: ", `service plan id "x" is not a GUID`}},
		{"empty part number", header + "Prod,\u00a0 ,4f05b1a3-a978-462c-b93f-781c6bee998f,Plan,56e3d4ca-2e31-4c3f-8d57-89c1d363503b,F\r\n",
			[]string{"bad.csv:2:6: column String_Id: part number is empty"}},
		{"two part numbers", header + okRow + "\r\nProd,OTHER,4F05B1A3-A978-462C-B93F-781C6BEE998F,Plan,507172c0-6001-4f4f-80e7-f350507af3e5,F\r\n",
			[]string{"bad.csv:4:6: column String_Id: ", `SKU 4f05b1a3-a978-462c-b93f-781c6bee998f has part number "OTHER" here but "PN" on line 2`}},
		{"short row", header + "Prod,PN,4f05b1a3-a978-462c-b93f-781c6bee998f\r\n",
			[]string{"bad.csv:2: ", "row has 3 fields, want at least 6"}},
		{"bad quoting", header + okRow + "Prod,\"PN,x\r\n",
			[]string{"bad.csv:3:", "malformed CSV", "extraneous or missing \" in quoted-field"}},
		{"bare quote", header + "Pro\"d,PN,4f05b1a3-a978-462c-b93f-781c6bee998f,Plan,56e3d4ca-2e31-4c3f-8d57-89c1d363503b,F\r\n",
			[]string{"bad.csv:2:4: ", "malformed CSV", "bare \" in non-quoted-field"}},
		{"UTF-16", "\xff\xfeP\x00", []string{"bad.csv: ", "UTF-16"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Read(strings.NewReader(tt.in), "bad.csv")
			if c != nil {
				t.Error("catalog returned with an error")
			}
			locatedtest.AssertError(t, err, tt.parts...)
		})
	}
}

func TestAllErrorsReported(t *testing.T) {
	var b strings.Builder
	b.WriteString(header)
	for range 3 {
		b.WriteString("Prod,PN,nope,Plan,nope,F\r\n")
	}
	_, err := Read(strings.NewReader(b.String()), "bad.csv")
	if err == nil {
		t.Fatal("no error")
	}
	if n := strings.Count(err.Error(), "bad.csv:"); n != 6 {
		t.Errorf("%d errors, want 6:\n%v", n, err)
	}

	b.Reset()
	b.WriteString(header)
	for range maxErrors + 10 {
		b.WriteString("Prod,PN,nope,Plan,56e3d4ca-2e31-4c3f-8d57-89c1d363503b,F\r\n")
	}
	_, err = Read(strings.NewReader(b.String()), "bad.csv")
	if err == nil || !strings.HasSuffix(err.Error(), "bad.csv: 10 more errors not shown") {
		t.Errorf("capped error = %v", err)
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile("no/such/file.csv")
	locatedtest.AssertError(t, err, "no/such/file.csv: cannot open")
}

func TestNormalizePartNumber(t *testing.T) {
	for in, want := range map[string]string{
		"DYN365_ ENTERPRISE _RELATIONSHIP_SALES":   "DYN365_ENTERPRISE_RELATIONSHIP_SALES",
		"MCOCAP_FACULTY\u00a0":                     "MCOCAP_FACULTY",
		"\tA\u200bB\uFEFF C\r\n":                   "ABC",
		"Power Pages authenticated users T2_CN_CN": "PowerPagesauthenticatedusersT2_CN_CN",
	} {
		if got := NormalizePartNumber(in); got != want {
			t.Errorf("NormalizePartNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte("\uFEFF" + header + "Prod,PN,4f05b1a3-a978-462c-b93f-781c6bee998f,Plan,56e3d4ca-2e31-4c3f-8d57-89c1d363503b,Friendly\r\n"))
	f.Add([]byte(header + "\"A, B\",DYN365_ X ,{4F05B1A3-A978-462C-B93F-781C6BEE998F},P,507172c0-6001-4f4f-80e7-f350507af3e5,F\n,,,,,\n"))
	f.Add([]byte(header + "Op\xe9rations \x96 x,P\xa0,4f05b1a3-a978-462c-b93f-781c6bee998f,N,f06754ec-6d72-4bf6-991c-4cb5413d9932,F\r\n"))
	f.Add([]byte("GUID,String_Id\r\nx,\"y"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := Read(bytes.NewReader(in), "fuzz.csv")
		if err != nil {
			if c != nil {
				t.Error("catalog returned with an error")
			}
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		skus := c.SKUs()
		if len(skus) != c.Len() {
			t.Errorf("Len %d, %d SKUs", c.Len(), len(skus))
		}
		for _, s := range skus {
			if got, ok := c.ByID(s.ID); !ok || got.ID != s.ID {
				t.Errorf("ByID(%s) failed", s.ID)
			}
			found := false
			for _, o := range c.ByPartNumber(s.RawPartNumber) {
				found = found || o.ID == s.ID
			}
			if !found {
				t.Errorf("ByPartNumber(%q) misses %s", s.RawPartNumber, s.ID)
			}
		}
	})
}
