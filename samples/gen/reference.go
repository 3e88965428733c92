package gen

import (
	"bufio"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/d365audit/d365audit/queries/vocab"
)

// writeSKUs writes graph/subscribedSkus.json: the SKUs of samples/contoso,
// with this tenant's seat counts.
func (w *writer) writeSKUs() error {
	body := struct {
		Context string     `json:"@odata.context"`
		Value   []graphSKU `json:"value"`
	}{Context: "https://graph.microsoft.com/v1.0/$metadata#subscribedSkus"}
	for _, s := range w.t.skus {
		body.Value = append(body.Value, s.graphSKU)
	}
	b, err := json.MarshalIndent(body, "", "  ")
	if err != nil {
		return err
	}
	return w.out.file("graph/subscribedSkus.json", func(bw *bufio.Writer) error {
		bw.Write(b)
		_, err := bw.WriteString("\n")
		return err
	})
}

const graphSelect = "id,userPrincipalName,displayName,accountEnabled,userType,assignedLicenses,signInActivity,createdDateTime,department,externalUserState"

// writeGraphUsers writes graph/users.json, users.2.json, ...: Graph pages
// of 999 users, each but the last with an @odata.nextLink.
func (w *writer) writeGraphUsers() error {
	t := w.t
	var list []*user
	for i := range t.users {
		if hasEntraUser(&t.users[i]) {
			list = append(list, &t.users[i])
		}
	}
	for i := range t.entraOnly {
		list = append(list, &t.entraOnly[i])
	}
	r := newRNG(t.opts.Seed, "graphpages")
	pages := max(1, (len(list)+graphPageSize-1)/graphPageSize)
	for p := 0; p < pages; p++ {
		name := "graph/users.json"
		if p > 0 {
			name = "graph/users." + strconv.Itoa(p+1) + ".json"
		}
		page := list[p*graphPageSize : min(len(list), (p+1)*graphPageSize)]
		next := ""
		if p < pages-1 {
			token := make([]byte, 48)
			for i := range token {
				token[i] = byte(r.IntN(256))
			}
			next = "https://graph.microsoft.com/v1.0/users?$select=" + graphSelect + "&$top=999&$skiptoken=" +
				base64.RawURLEncoding.EncodeToString(token)
		}
		err := w.out.file(name, func(bw *bufio.Writer) error { return w.writeGraphPage(bw, r, page, next) })
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) writeGraphPage(bw *bufio.Writer, r *rng, page []*user, next string) error {
	bw.WriteString(`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users(` + graphSelect + `)"`)
	if next != "" {
		bw.WriteString(`,"@odata.nextLink":`)
		bw.Write(appendJSONString(nil, next))
	}
	bw.WriteString(`,"value":[`)
	var b []byte
	for i, u := range page {
		b = b[:0]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n{\"id\":"...)
		b = appendJSONString(b, u.aad)
		b = append(b, `,"userPrincipalName":`...)
		b = appendJSONString(b, u.login)
		b = append(b, `,"displayName":`...)
		b = appendJSONString(b, u.full)
		b = append(b, `,"accountEnabled":`...)
		b = strconv.AppendBool(b, !u.entraDisabled)
		if u.guest {
			b = append(b, `,"userType":"Guest"`...)
		} else {
			b = append(b, `,"userType":"Member"`...)
		}
		b = append(b, `,"assignedLicenses":[`...)
		first := true
		for s := range w.t.skus {
			if u.licenses&(1<<s) == 0 {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, `{"disabledPlans":[],"skuId":`...)
			b = appendJSONString(b, w.t.skus[s].SkuID)
			b = append(b, '}')
		}
		b = append(b, `],"signInActivity":{`...)
		if u.signInDays < 0 {
			b = append(b, `"lastSignInDateTime":null,"lastSignInRequestId":null,"lastNonInteractiveSignInDateTime":null,`+
				`"lastNonInteractiveSignInRequestId":null,"lastSuccessfulSignInDateTime":null,"lastSuccessfulSignInRequestId":null`...)
		} else {
			at := asOfTime.Unix() - int64(u.signInDays)*86400 + int64(u.signInSecond)
			req := r.guid()
			b = append(b, `"lastSignInDateTime":"`...)
			b = appendISO(b, at)
			b = append(b, `","lastSignInRequestId":"`...)
			b = append(b, req...)
			b = append(b, `","lastNonInteractiveSignInDateTime":"`...)
			b = appendISO(b, at)
			b = append(b, `","lastNonInteractiveSignInRequestId":"`...)
			b = append(b, r.guid()...)
			b = append(b, `","lastSuccessfulSignInDateTime":"`...)
			b = appendISO(b, at)
			b = append(b, `","lastSuccessfulSignInRequestId":"`...)
			b = append(b, req...)
			b = append(b, '"')
		}
		b = append(b, `},"createdDateTime":"`...)
		b = appendISO(b, u.created-86400*int64(1+int(u.created%7)))
		b = append(b, `","department":`...)
		if u.dept != "" {
			b = appendJSONString(b, u.dept)
		} else {
			b = append(b, "null"...)
		}
		if u.guest {
			b = append(b, `,"externalUserState":"Accepted"}`...)
		} else {
			b = append(b, `,"externalUserState":null}`...)
		}
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	_, err := bw.WriteString("\n]}\n")
	return err
}

//go:embed contoso-prices.csv
var contosoPrices []byte

// writePrices writes prices.csv: the price list of samples/contoso.
func (w *writer) writePrices() error {
	return w.out.file("prices.csv", func(bw *bufio.Writer) error {
		_, err := bw.Write(contosoPrices)
		return err
	})
}

//go:embed contoso-policy.yaml
var contosoPolicy string

var (
	policyHeader = regexp.MustCompile(`(?m)\A#.*$`)
	policyEnv    = regexp.MustCompile(`(?m)^environment: .*$`)
	policyAsOf   = regexp.MustCompile(`(?m)^as_of: .*$`)
)

// policy returns samples/contoso's policy for the environment env (or, for
// a tenant, the tenant's name), with as_of the day the generated sign-in
// dates count back from.
func policy(env, header string) (string, error) {
	for _, re := range []*regexp.Regexp{policyHeader, policyEnv, policyAsOf} {
		if !re.MatchString(contosoPolicy) {
			return "", fmt.Errorf("contoso-policy.yaml has no line matching %s", re)
		}
	}
	p := policyHeader.ReplaceAllLiteralString(contosoPolicy, header)
	p = policyEnv.ReplaceAllLiteralString(p, "environment: "+env)
	p = policyAsOf.ReplaceAllLiteralString(p, "as_of: "+asOf)
	return p, nil
}

func (w *writer) writePolicy() error {
	return w.writePolicyFile(policy(w.t.org,
		"# d365audit organisation policy for the generated export "+w.t.org+" in this folder: samples/contoso's policy."))
}

// writeTenantPolicy writes the one policy of a tenant of several
// environments, beside environments/.
func (w *writer) writeTenantPolicy() error {
	return w.writePolicyFile(policy(tenantName,
		"# d365audit organisation policy for the generated tenant "+tenantName+" (environments/*): samples/contoso's policy."))
}

func (w *writer) writePolicyFile(p string, err error) error {
	if err != nil {
		return err
	}
	return w.out.file("policy.yaml", func(bw *bufio.Writer) error {
		_, err := bw.WriteString(p)
		return err
	})
}

// writeBaseline writes baseline/Roles/<name>.xml for every managed role as a
// clean environment defines it: identical to the export except for the
// customized Salesperson.
func (w *writer) writeBaseline() error {
	cat := w.t.cat
	for i := range w.t.roles {
		ro := &w.t.roles[i]
		if !ro.managed {
			continue
		}
		names := make([]int32, len(ro.baseline))
		for k := range names {
			names[k] = int32(k)
		}
		slices.SortStableFunc(names, func(a, b int32) int {
			return strings.Compare(cat.privs[ro.baseline[a].priv].lower, cat.privs[ro.baseline[b].priv].lower)
		})
		file := "baseline/Roles/" + strings.Map(func(r rune) rune {
			if strings.ContainsRune(`/\:*?"<>|`, r) {
				return '_'
			}
			return r
		}, ro.name) + ".xml"
		err := w.out.file(file, func(bw *bufio.Writer) error {
			bw.WriteString("\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?>\n")
			fmt.Fprintf(bw, "<Role id=\"{%s}\" name=\"%s\" isinherited=\"%d\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n",
				ro.baselineID, xmlEscape(ro.name), ro.inherited)
			if ro.template != "" {
				fmt.Fprintf(bw, "  <RoleTemplateId>{%s}</RoleTemplateId>\n", ro.template)
			}
			custom := 0
			if ro.customizable {
				custom = 1
			}
			fmt.Fprintf(bw, "  <IsCustomizable>%d</IsCustomizable>\n  <RolePrivileges>\n", custom)
			for _, k := range names {
				g := ro.baseline[k]
				level, _ := vocab.LevelName(int8(g.mask)) // a grant is one depth bit
				fmt.Fprintf(bw, "    <RolePrivilege name=\"%s\" level=\"%s\" />\n", cat.privs[g.priv].name, level)
			}
			_, err := bw.WriteString("  </RolePrivileges>\n</Role>\n")
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
