package review

import "testing"

// TestReviewer: who reviews a person's roles, on a hand-made tenant:
// root > region > team unit.
func TestReviewer(t *testing.T) {
	rf := &runFacts{
		bus: map[string]buFacts{
			"b1": {id: "b1", name: "Root"},
			"b2": {id: "b2", name: "Region", parentID: "b1"},
			"b3": {id: "b3", name: "Unit", parentID: "b2"},
		},
		users: map[string]userFacts{
			"boss":    {id: "boss", domainName: "boss@x", buID: "b2"},
			"gone":    {id: "gone", domainName: "gone@x", buID: "b2", disabled: true},
			"owner":   {id: "owner", domainName: "owner@x", buID: "b2"},
			"managed": {id: "managed", domainName: "m@x", buID: "b3", managerID: "boss"},
			"orphan":  {id: "orphan", domainName: "o@x", buID: "b3", managerID: "gone"},
			"self":    {id: "self", domainName: "s@x", buID: "b3", managerID: "self"},
			"dangles": {id: "dangles", domainName: "d@x", buID: "b3", managerID: "nobody"},
		},
	}
	owners := Reviewers{"region": "owner@x", "b1": "ceo@x"}
	cases := []struct {
		user, by string
		m        Reviewers
		want     string
	}{
		{"managed", ByManager, nil, "boss@x"},
		{"managed", ByManager, owners, "boss@x"},
		{"orphan", ByManager, owners, "owner@x"}, // disabled manager: the unit's owner, from the parent unit
		{"orphan", ByManager, nil, Unassigned},
		{"self", ByManager, owners, "owner@x"}, // nobody is their own manager
		{"dangles", ByManager, owners, "owner@x"},
		{"owner", ByManager, owners, "ceo@x"}, // the owner of Region is reviewed by the root's owner (mapped by id)
		{"managed", ByBusinessUnit, owners, "owner@x"},
		{"owner", ByBusinessUnit, owners, "ceo@x"},
		{"managed", ByBusinessUnit, nil, "Unit"},
		{"managed", ByBusinessUnit, Reviewers{"unit": "m@x"}, Unassigned}, // only themselves
	}
	for _, c := range cases {
		got := rf.reviewer(Options{By: c.by, Reviewers: c.m}, rf.users[c.user])
		if got != c.want {
			t.Errorf("%s by %s with %v: %s, want %s", c.user, c.by, c.m, got, c.want)
		}
	}
}

func TestFileName(t *testing.T) {
	for in, want := range map[string]string{
		"anna@contoso.com": "anna@contoso.com.xlsx",
		`CONTOSO\anna`:     "CONTOSO_anna.xlsx",
		"a/b:c?":           "a_b_c_.xlsx",
		" . ":              "_.xlsx",
	} {
		if got := fileName(in); got != want {
			t.Errorf("fileName(%q) = %q, want %q", in, got, want)
		}
	}
}
