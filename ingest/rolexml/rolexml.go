// Package rolexml reads the security-role files of an unpacked Dataverse
// solution (Roles/*.xml, as written by SolutionPackager or `pac solution
// unpack`).
//
// A role file looks like this:
//
//	<?xml version="1.0" encoding="utf-8"?>
//	<Role id="{6089cdb9-00c4-ed11-83ff-00224803a83a}" name="Kudos - Employee" isinherited="1">
//	  <IsCustomizable>1</IsCustomizable>
//	  <RolePrivileges>
//	    <RolePrivilege name="prvAppendmpa_Badge" level="Global" />
//	  </RolePrivileges>
//	</Role>
//
// The files in the wild start with a UTF-8 byte-order mark, use CRLF or LF
// line ends, and are sometimes reformatted with one attribute per line; all of
// that is accepted. Element and attribute names are matched without regard to
// case, because hand-edited and tool-generated exports disagree on it while
// Dataverse itself does not care. Anything this package does not understand
// about the shape (unknown elements or attributes) is skipped, but anything
// that would change what a role grants (a privilege without a name, a depth
// it does not know, a privilege listed twice) is an error: an audit must not
// silently under- or over-state access.
package rolexml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/d365audit/d365audit/ingest/located"
	"github.com/d365audit/d365audit/internal/guid"
	"github.com/d365audit/d365audit/queries/vocab"
)

// Role is one security role as defined in a solution.
type Role struct {
	// File is the name the role was read from, as given to Parse.
	File string
	// ID is the role id, lower-case and without braces; empty if the file
	// has no id attribute.
	ID   string
	Name string
	// IsInherited is the isinherited attribute (0: team privileges only,
	// 1: team privileges also act as the member's own), nil if absent.
	IsInherited *int
	// IsCustomizable is the IsCustomizable element, nil if absent.
	IsCustomizable *bool
	// IsAutoAssigned is the IsAutoAssigned element, nil if absent. An
	// auto-assigned role is granted to users without anyone assigning it,
	// which makes it worth an auditor's attention.
	IsAutoAssigned *bool
	// TemplateID is the role template the role derives from, lower-case
	// without braces, from a RoleTemplateId element or roletemplateid
	// attribute; empty if the file names none (the usual case).
	TemplateID string
	// Privileges are in file order.
	Privileges []Privilege
}

// Privilege is one privilege a role grants, at one depth.
type Privilege struct {
	// Name is the privilege name as written, e.g. "prvReadmpa_Badge"; the
	// table part keeps the table's schema-name casing.
	Name string
	// Level is Basic, Local, Deep or Global, in that canonical case.
	Level string
	// DepthMask is the Dataverse privilege depth mask for Level:
	// Basic 1, Local 2, Deep 4, Global 8.
	DepthMask int
	// Line is the line of the RolePrivilege element in the file.
	Line int
}

// DepthMask returns the canonical case and depth mask of level, matched
// without regard to case, and false if level is not one of Basic, Local, Deep
// or Global.
func DepthMask(level string) (canonical string, mask int, ok bool) {
	for _, l := range vocab.MaskLevels {
		if strings.EqualFold(l.Name, level) {
			return l.Name, int(l.Bit), true
		}
	}
	return "", 0, false
}

// Error is a problem with one role file. Its Part is the attribute or
// element at fault, if any.
type Error = located.Error

// maxFileSize bounds what Parse reads into memory. The largest real role
// files are tens of kilobytes; anything this big is not a role file.
const maxFileSize = 64 << 20

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Parse reads one role file from r. file names the input in errors and in
// Role.File; Parse does not open it.
func Parse(r io.Reader, file string) (Role, error) {
	// The whole file is held in memory so that errors can point at the line
	// of the offending attribute, not just of the element's closing '>'.
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return Role{}, &Error{File: file, Msg: "cannot read: " + err.Error(), Err: err}
	}
	if len(data) > maxFileSize {
		return Role{}, &Error{File: file, Msg: fmt.Sprintf("larger than %d bytes; not a role file", maxFileSize)}
	}
	// encoding/xml rejects a byte-order mark before the XML declaration,
	// and nearly every exported role file has one.
	data = bytes.TrimPrefix(data, utf8BOM)
	p := &parser{file: file, data: data, dec: xml.NewDecoder(bytes.NewReader(data))}
	// encoding/xml reads UTF-8 (and accepts a declaration saying so) but
	// needs a CharsetReader for anything else. Dataverse always writes
	// UTF-8, so rather than transcode, say plainly what is wrong.
	p.dec.CharsetReader = func(label string, _ io.Reader) (io.Reader, error) {
		return nil, &charsetError{label}
	}
	return p.parse()
}

// ParseFile reads the role file at path.
func ParseFile(path string) (Role, error) {
	f, err := os.Open(path)
	if err != nil {
		return Role{}, located.PathError(path, "cannot open", err)
	}
	defer f.Close()
	return Parse(f, path)
}

// ParseDir reads every *.xml file in dir and, if dir has a Roles
// subdirectory (dir is the root of an unpacked solution), every *.xml file in
// that too. Roles are sorted by file name.
//
// ParseDir does not stop at the first bad file: it returns the roles it
// could read together with every error, joined with errors.Join, each naming
// its file. Two files defining the same role id are also an error, since one
// would silently shadow the other.
func ParseDir(dir string) ([]Role, error) {
	paths, err := xmlFiles(dir)
	if err != nil {
		return nil, err
	}
	if sub := filepath.Join(dir, "Roles"); isDir(sub) {
		more, err := xmlFiles(sub)
		if err != nil {
			return nil, err
		}
		paths = append(paths, more...)
	}
	sort.SliceStable(paths, func(i, j int) bool {
		bi, bj := filepath.Base(paths[i]), filepath.Base(paths[j])
		if bi != bj {
			return bi < bj
		}
		return paths[i] < paths[j]
	})

	var (
		roles []Role
		errs  []error
		seen  = map[string]string{} // role id -> file
	)
	for _, path := range paths {
		role, err := ParseFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if role.ID != "" {
			if first, dup := seen[role.ID]; dup {
				errs = append(errs, &Error{File: path, Part: "id",
					Msg: fmt.Sprintf("role id %s is also defined by %s", role.ID, first)})
				continue
			}
			seen[role.ID] = path
		}
		roles = append(roles, role)
	}
	return roles, errors.Join(errs...)
}

func xmlFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, located.PathError(dir, "cannot list directory", err)
	}
	var paths []string
	for _, e := range entries {
		// Exports made on Windows may say .XML.
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".xml") {
			continue
		}
		paths = append(paths, filepath.Join(dir, e.Name()))
	}
	return paths, nil
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// parser walks the token stream of one file. It tracks byte offsets so an
// error can name the line of the attribute at fault even when a reformatted
// file spreads an element's attributes over several lines.
type parser struct {
	file string
	data []byte
	dec  *xml.Decoder
	// start and end are the byte offsets of the token last read.
	start, end int64
}

func (p *parser) next() (xml.Token, error) {
	p.start = p.dec.InputOffset()
	tok, err := p.dec.Token()
	p.end = p.dec.InputOffset()
	return tok, err
}

// lineAt returns the 1-based line of byte offset off.
func (p *parser) lineAt(off int64) int {
	if off < 0 {
		return 1
	}
	if off > int64(len(p.data)) {
		off = int64(len(p.data))
	}
	return 1 + bytes.Count(p.data[:off], []byte{'\n'})
}

// errAt reports a problem with the element last read, or with its attribute
// attr if attr is not empty.
func (p *parser) errAt(attr, format string, args ...any) *Error {
	line := p.lineAt(p.start)
	if attr != "" {
		if off := attrOffset(p.data[p.start:p.end], attr); off >= 0 {
			line = p.lineAt(p.start + int64(off))
		}
	}
	return &Error{File: p.file, Line: line, Part: attr, Msg: fmt.Sprintf(format, args...)}
}

type charsetError struct{ label string }

func (e *charsetError) Error() string {
	return fmt.Sprintf("XML declaration says encoding %q; role files must be UTF-8", e.label)
}

// syntaxErr turns a decoder error into an *Error with the decoder's line.
func (p *parser) syntaxErr(err error) *Error {
	var ce *charsetError
	if errors.As(err, &ce) {
		return &Error{File: p.file, Line: p.lineAt(p.start), Msg: ce.Error(), Err: err}
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &Error{File: p.file, Line: se.Line, Msg: "malformed XML: " + se.Msg, Err: err}
	}
	if err == io.EOF {
		return &Error{File: p.file, Line: p.lineAt(int64(len(p.data))), Msg: "malformed XML: unexpected end of file", Err: err}
	}
	return &Error{File: p.file, Line: p.lineAt(p.start), Msg: "malformed XML: " + err.Error(), Err: err}
}

func (p *parser) parse() (Role, error) {
	role := Role{File: p.file}

	// Prolog: the XML declaration, comments and whitespace up to the root.
	var root xml.StartElement
	for {
		tok, err := p.next()
		if err == io.EOF {
			return role, &Error{File: p.file, Msg: "no root element; not a role file"}
		}
		if err != nil {
			return role, p.syntaxErr(err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
		if cd, ok := tok.(xml.CharData); ok && len(bytes.TrimSpace(cd)) > 0 {
			return role, p.errAt("", "text before the root element; not a role file")
		}
	}
	if !strings.EqualFold(root.Name.Local, "Role") {
		return role, p.errAt("", "root element is <%s>, want <Role>; not a role file", root.Name.Local)
	}
	if err := p.roleAttrs(&role, root); err != nil {
		return role, err
	}

	// Role children. Depth-first by hand rather than xml.Unmarshal so that
	// every element's position is known when something is wrong with it.
	seenPriv := map[string]int{} // lower-case privilege name -> line
	templateElem := ""
	for {
		tok, err := p.next()
		if err != nil {
			return role, p.syntaxErr(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			// The decoder guarantees this is </Role>.
			if err := p.trailer(); err != nil {
				return role, err
			}
			if templateElem != "" {
				if role.TemplateID != "" && role.TemplateID != templateElem {
					return role, &Error{File: p.file, Part: "RoleTemplateId",
						Msg: fmt.Sprintf("element says %s but roletemplateid attribute says %s", templateElem, role.TemplateID)}
				}
				role.TemplateID = templateElem
			}
			return role, nil
		case xml.StartElement:
			var err error
			switch strings.ToLower(t.Name.Local) {
			case "iscustomizable":
				role.IsCustomizable, err = p.boolElem(t)
			case "isautoassigned":
				role.IsAutoAssigned, err = p.boolElem(t)
			case "roletemplateid":
				templateElem, err = p.guidElem(t)
			case "roleprivileges":
				err = p.privileges(&role, seenPriv)
			default:
				// Unknown elements (a newer export format, say) carry no
				// privileges we could misread by skipping them.
				err = p.dec.Skip()
				if err != nil {
					err = p.syntaxErr(err)
				}
			}
			if err != nil {
				return role, err
			}
		}
	}
}

// trailer checks that nothing but comments and whitespace follow the root
// element. encoding/xml would happily read a second root.
func (p *parser) trailer() error {
	for {
		tok, err := p.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return p.syntaxErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return p.errAt("", "element <%s> after the end of <Role>", t.Name.Local)
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return p.errAt("", "text after the end of <Role>")
			}
		}
	}
}

func (p *parser) roleAttrs(role *Role, root xml.StartElement) error {
	attrs, err := p.attrs(root, "id", "name", "isinherited", "roletemplateid")
	if err != nil {
		return err
	}
	if v, ok := attrs["id"]; ok {
		id, ok := guid.Normalize(v)
		if !ok {
			return p.errAt("id", "role id %q is not a GUID", v)
		}
		role.ID = id
	}
	role.Name = strings.TrimSpace(attrs["name"])
	if role.Name == "" {
		if _, ok := attrs["name"]; ok {
			return p.errAt("name", "role name is empty")
		}
		return p.errAt("name", "<Role> has no name attribute")
	}
	if v, ok := attrs["isinherited"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return p.errAt("isinherited", "%q is not an integer", v)
		}
		role.IsInherited = &n
	}
	if v, ok := attrs["roletemplateid"]; ok && strings.TrimSpace(v) != "" {
		id, ok := guid.Normalize(v)
		if !ok {
			return p.errAt("roletemplateid", "%q is not a GUID", v)
		}
		role.TemplateID = id
	}
	return nil
}

// attrs returns the values of the wanted attributes of se, keyed by the
// lower-case names in want. An attribute given twice under different casing
// is an error: which one Dataverse would honour is anyone's guess.
func (p *parser) attrs(se xml.StartElement, want ...string) (map[string]string, error) {
	got := make(map[string]string, len(want))
	for _, a := range se.Attr {
		if a.Name.Space != "" {
			// Prefixed attributes (xmlns:xsi, xsi:nil) are not ours;
			// encoding/xml leaves Space empty only for unprefixed names.
			continue
		}
		key := strings.ToLower(a.Name.Local)
		for _, w := range want {
			if key != w {
				continue
			}
			if _, dup := got[w]; dup {
				return nil, p.errAt(a.Name.Local, "attribute given twice")
			}
			got[w] = a.Value
		}
	}
	return got, nil
}

func (p *parser) privileges(role *Role, seen map[string]int) error {
	for {
		tok, err := p.next()
		if err != nil {
			return p.syntaxErr(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if !strings.EqualFold(t.Name.Local, "RolePrivilege") {
				if err := p.dec.Skip(); err != nil {
					return p.syntaxErr(err)
				}
				continue
			}
			priv, err := p.privilege(t)
			if err != nil {
				return err
			}
			// Dataverse privilege names are case-insensitive, so prvReadFoo
			// and prvreadfoo are the same privilege listed twice.
			key := strings.ToLower(priv.Name)
			if first, dup := seen[key]; dup {
				return p.errAt("name", "privilege %s is listed twice (first on line %d)", priv.Name, first)
			}
			seen[key] = priv.Line
			role.Privileges = append(role.Privileges, priv)
			// RolePrivilege is empty in every known export; skip whatever
			// it might contain so it cannot be misread as a sibling.
			if err := p.skipRest(); err != nil {
				return err
			}
		}
	}
}

// skipRest skips to the end of the element whose start was last read,
// keeping p.start and p.end on that start tag for error reporting.
func (p *parser) skipRest() error {
	start, end := p.start, p.end
	if err := p.dec.Skip(); err != nil {
		return p.syntaxErr(err)
	}
	p.start, p.end = start, end
	return nil
}

func (p *parser) privilege(se xml.StartElement) (Privilege, error) {
	line := p.lineAt(p.start)
	attrs, err := p.attrs(se, "name", "level")
	if err != nil {
		return Privilege{}, err
	}
	name := strings.TrimSpace(attrs["name"])
	if name == "" {
		if _, ok := attrs["name"]; ok {
			return Privilege{}, p.errAt("name", "<RolePrivilege> has an empty name")
		}
		return Privilege{}, p.errAt("name", "<RolePrivilege> has no name attribute")
	}
	lv, ok := attrs["level"]
	if !ok {
		return Privilege{}, p.errAt("level", "privilege %s has no level attribute", name)
	}
	level, mask, ok := DepthMask(strings.TrimSpace(lv))
	if !ok {
		return Privilege{}, p.errAt("level", "privilege %s has unknown level %q (want Basic, Local, Deep or Global)", name, lv)
	}
	return Privilege{Name: name, Level: level, DepthMask: mask, Line: line}, nil
}

// text returns the character data of the element whose start was last read,
// and consumes its end.
func (p *parser) text(se xml.StartElement) (string, error) {
	start, end := p.start, p.end
	var v struct {
		Text string `xml:",chardata"`
	}
	if err := p.dec.DecodeElement(&v, &se); err != nil {
		return "", p.syntaxErr(err)
	}
	p.start, p.end = start, end
	return strings.TrimSpace(v.Text), nil
}

// boolElem reads <X>1</X>. An empty element means "not stated".
func (p *parser) boolElem(se xml.StartElement) (*bool, error) {
	s, err := p.text(se)
	if err != nil || s == "" {
		return nil, err
	}
	var b bool
	switch strings.ToLower(s) {
	case "1", "true":
		b = true
	case "0", "false":
		b = false
	default:
		return nil, p.errAt(se.Name.Local, "%q is not a boolean (want 0, 1, true or false)", s)
	}
	return &b, nil
}

func (p *parser) guidElem(se xml.StartElement) (string, error) {
	s, err := p.text(se)
	if err != nil || s == "" {
		return "", err
	}
	id, ok := guid.Normalize(s)
	if !ok {
		return "", p.errAt(se.Name.Local, "%q is not a GUID", s)
	}
	return id, nil
}

// attrOffset returns the offset of attribute attr (matched without regard to
// case) within the raw start tag tag, or -1. It steps over quoted values so
// that text like ` name=` inside another attribute's value cannot match.
func attrOffset(tag []byte, attr string) int {
	var quote byte
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if quote != 0 {
			if c == quote {
				quote = 0
			}
			continue
		}
		if c == '"' || c == '\'' {
			quote = c
			continue
		}
		if !isXMLSpace(c) {
			continue
		}
		j := i + 1
		if j+len(attr) > len(tag) || !strings.EqualFold(string(tag[j:j+len(attr)]), attr) {
			continue
		}
		k := j + len(attr)
		for k < len(tag) && isXMLSpace(tag[k]) {
			k++
		}
		if k < len(tag) && tag[k] == '=' {
			return j
		}
	}
	return -1
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
