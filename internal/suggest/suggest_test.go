package suggest

import (
	"reflect"
	"testing"
)

func TestClosest(t *testing.T) {
	tables := []string{"account", "contact", "contoso_payment", "contoso_paymentrun", "systemuser", "salesorder"}
	cases := []struct {
		word string
		want []string
	}{
		{"contoso_paymnet", []string{"contoso_payment"}}, // swap: one edit
		{"contoso_paymnt", []string{"contoso_payment"}},
		{"contoso_paymentrn", []string{"contoso_paymentrun", "contoso_payment"}},
		{"ACCOUNT", []string{"account"}},
		{"acount", []string{"account"}},
		{"user", []string{"systemuser"}}, // contained
		{"xyzzy", []string{}},
		{"", nil},
	}
	for _, c := range cases {
		got := Closest(c.word, tables, 3)
		if len(got) == 0 && len(c.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Closest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	if got := DidYouMean("contoso_paymnet", []string{"contoso_payment", "account"}); got != "; did you mean contoso_payment?" {
		t.Errorf("got %q", got)
	}
	if got := DidYouMean("acount", []string{"account", "accounts", "acounts", "acount_x"}); got != "; did you mean account, acounts or acount_x?" {
		t.Errorf("got %q", got)
	}
	if got := DidYouMean("zzz", []string{"account"}); got != "" {
		t.Errorf("got %q", got)
	}
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"paymnet", "payment", 1}, {"björn", "bjorn", 1}} {
		if got := distance(c.a, c.b); got != c.d {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}
