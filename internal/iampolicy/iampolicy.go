// Package iampolicy normalises IAM policy documents into
// facts.PolicyDocument: every string-or-list field becomes a list, a "*"
// principal becomes {"AWS": ["*"]}, condition keys are lower-cased and
// condition values are strings. Every repository parser uses it, and so
// does the live-AWS inventory, which gets documents URL-encoded from the
// IAM API (ParseDocument, DecodeText).
//
// Documents whose shape IAM would reject (no Effect, Action together with
// NotAction, a number where a statement belongs, an unknown element) are
// errors that name the line, never partially normalised: a rule must not
// pass a policy because part of it was silently dropped.
package iampolicy

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/secretgate/secretgate/internal/doctree"
	"github.com/secretgate/secretgate/internal/facts"
)

// Versions IAM accepts for the Version element.
var Versions = []string{"2012-10-17", "2008-10-17"}

// DecodeText returns the JSON text of a policy document given either as
// JSON or URL-encoded JSON, as the IAM API returns documents
// ("%7B%22Version%22…"). Percent-escapes are decoded as RFC 3986 says,
// so a literal "+" stays a plus sign (IAM names may contain one).
func DecodeText(text string) (string, error) {
	t := strings.TrimSpace(text)
	if IsURLEncoded(t) {
		dec, err := url.PathUnescape(t)
		if err != nil {
			return "", fmt.Errorf("URL-encoded policy document: %w", err)
		}
		return dec, nil
	}
	return t, nil
}

// IsURLEncoded reports whether text looks like a URL-encoded JSON object.
func IsURLEncoded(text string) bool {
	t := strings.TrimSpace(text)
	return len(t) >= 3 && strings.EqualFold(t[:3], "%7B")
}

// ParseDocument parses and normalises a policy document given as JSON text,
// plain or URL-encoded. Locations in the result and in errors are lines of
// the (decoded) text; File is empty.
func ParseDocument(text string) (facts.PolicyDocument, error) {
	js, err := DecodeText(text)
	if err != nil {
		return facts.PolicyDocument{}, err
	}
	n, err := doctree.ParseJSON([]byte(js))
	if err != nil {
		return facts.PolicyDocument{}, err
	}
	return Normalize("", n)
}

// Normalize turns a document tree into a facts.PolicyDocument whose
// locations name file. n is the document object, or a string holding the
// document as JSON text (plain or URL-encoded), as CloudFormation outputs,
// Terraform plans and IAM API responses carry it; then every location is
// the string's own line, since positions inside the text do not point
// into the file.
func Normalize(file string, n *doctree.Node) (facts.PolicyDocument, error) {
	if n != nil && n.Kind == doctree.String {
		js, err := DecodeText(n.Text)
		if err != nil {
			return facts.PolicyDocument{}, n.Errorf("%v", err)
		}
		inner, err := doctree.ParseJSON([]byte(js))
		if err != nil {
			var te *doctree.Error
			if errors.As(err, &te) {
				return facts.PolicyDocument{}, n.Errorf("policy document string: %s", te.Msg)
			}
			return facts.PolicyDocument{}, n.Errorf("policy document string: %v", err)
		}
		inner.SetPos(n.Line, n.Col)
		n = inner
	}
	if n == nil || n.Kind != doctree.Object {
		return facts.PolicyDocument{}, n.Errorf("policy document must be an object, found %s", n.Describe())
	}
	doc := facts.PolicyDocument{Location: facts.Location{File: file, Line: n.Line}, Statement: []facts.Statement{}}
	doc.Duplicates = duplicates(n, -1, "", nil)
	var stmts *doctree.Node
	for _, m := range n.Members {
		switch m.Key {
		case "Version":
			v, ok := m.Value.Str()
			if !ok {
				return doc, m.Value.Errorf("Version must be a string, found %s", m.Value.Describe())
			}
			if !knownVersion(v) {
				return doc, m.Value.Errorf("Version %s is not one IAM accepts (%s)", doctree.Quote(v), strings.Join(Versions, " or "))
			}
			doc.Version = v
		case "Id":
			if _, ok := m.Value.Str(); !ok {
				return doc, m.Value.Errorf("Id must be a string, found %s", m.Value.Describe())
			}
		case "Statement":
			stmts = m.Value
		default:
			return doc, atKey(m).Errorf("unknown policy element %s (want Version, Id, Statement)", doctree.Quote(m.Key))
		}
	}
	if stmts == nil {
		return doc, n.Errorf("policy document has no Statement")
	}
	var list []*doctree.Node
	switch stmts.Kind {
	case doctree.Object:
		list = []*doctree.Node{stmts}
	case doctree.Array:
		list = stmts.Elems
	default:
		return doc, stmts.Errorf("Statement must be an object or a list of objects, found %s", stmts.Describe())
	}
	for i, s := range list {
		st, err := statement(file, s, i)
		if err != nil {
			return doc, err
		}
		doc.Statement = append(doc.Statement, st)
		if s.Kind == doctree.Object {
			doc.Duplicates = append(doc.Duplicates, duplicates(s, i, "", statementDropped)...)
			if c := s.Get("Condition"); c != nil && c.Kind == doctree.Object {
				doc.Duplicates = append(doc.Duplicates, duplicates(c, i, "Condition.", blockDropped)...)
				for _, op := range lastMembers(c) {
					if op.Value.Kind == doctree.Object {
						doc.Duplicates = append(doc.Duplicates, duplicates(op.Value, i, "Condition."+op.Key+".", keyValues)...)
					}
				}
			}
		}
	}
	return doc, nil
}

// duplicates lists the keys n (an object) repeats, each ignored
// occurrence with the line of the one kept (the last, as IAM and
// encoding/json do). lost, when set, fills in what the ignored value held
// that the kept one does not.
func duplicates(n *doctree.Node, stmt int, prefix string, lost func(d *facts.DuplicateKey, key string, ignored, kept *doctree.Node)) []facts.DuplicateKey {
	last := map[string]doctree.Member{}
	for _, m := range n.Members {
		last[m.Key] = m
	}
	var out []facts.DuplicateKey
	for _, m := range n.Members {
		kept := last[m.Key]
		if kept.Line == m.Line && kept.Col == m.Col {
			continue
		}
		d := facts.DuplicateKey{Statement: stmt, Path: prefix + m.Key, Line: m.Line, KeptLine: kept.Line}
		if lost != nil {
			lost(&d, m.Key, m.Value, kept.Value)
		}
		out = append(out, d)
	}
	return out
}

// statementDropped: a repeated Condition loses the condition keys of the
// ignored one that the kept one does not have under the same operator.
func statementDropped(d *facts.DuplicateKey, key string, ignored, kept *doctree.Node) {
	if key != "Condition" || ignored == nil || ignored.Kind != doctree.Object {
		return
	}
	for _, op := range lastMembers(ignored) {
		var keptBlock *doctree.Node
		if kept != nil && kept.Kind == doctree.Object {
			keptBlock = kept.Get(op.Key)
		}
		d.Dropped = appendNew(d.Dropped, droppedKeys(op.Value, keptBlock))
	}
}

// blockDropped: a repeated operator block loses its condition keys that
// the kept block does not have.
func blockDropped(d *facts.DuplicateKey, _ string, ignored, kept *doctree.Node) {
	d.Dropped = droppedKeys(ignored, kept)
}

// keyValues: a condition key repeated inside one operator block keeps the
// last values; both are recorded so that the finding can quote them.
func keyValues(d *facts.DuplicateKey, _ string, ignored, kept *doctree.Node) {
	d.Values, d.KeptValues = scalars(ignored), scalars(kept)
}

// scalars are the scalar values of n (a scalar or a list of them).
func scalars(n *doctree.Node) []string {
	if n == nil {
		return nil
	}
	if s, ok := n.Scalar(); ok {
		return []string{s}
	}
	var out []string
	if n.Kind == doctree.Array {
		for _, e := range n.Elems {
			if s, ok := e.Scalar(); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// droppedKeys names the condition keys of an operator block, lower-case,
// that the kept block (nil when there is none) lacks.
func droppedKeys(n, kept *doctree.Node) []string {
	if n == nil || n.Kind != doctree.Object {
		return nil
	}
	has := map[string]bool{}
	if kept != nil && kept.Kind == doctree.Object {
		for _, m := range kept.Members {
			has[strings.ToLower(m.Key)] = true
		}
	}
	var keys []string
	for _, m := range n.Members {
		if k := strings.ToLower(m.Key); !has[k] && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

func appendNew(list, more []string) []string {
	for _, k := range more {
		if !slices.Contains(list, k) {
			list = append(list, k)
		}
	}
	return list
}

// lastMembers are n's members without the ones a later member with the
// same key replaces: what IAM reads.
func lastMembers(n *doctree.Node) []doctree.Member {
	last := map[string]int{}
	for i, m := range n.Members {
		last[m.Key] = i
	}
	var out []doctree.Member
	for i, m := range n.Members {
		if last[m.Key] == i {
			out = append(out, m)
		}
	}
	return out
}

func knownVersion(v string) bool {
	for _, k := range Versions {
		if v == k {
			return true
		}
	}
	return false
}

// atKey is a node standing at a member's key, for errors about the key.
func atKey(m doctree.Member) *doctree.Node { return &doctree.Node{Line: m.Line, Col: m.Col} }

func statement(file string, n *doctree.Node, index int) (facts.Statement, error) {
	st := facts.Statement{Index: index, Location: facts.Location{File: file, Line: n.Line}}
	if n.Kind != doctree.Object {
		return st, n.Errorf("Statement[%d] must be an object, found %s", index, n.Describe())
	}
	var err error
	seen := map[string]bool{}
	for _, m := range n.Members {
		seen[m.Key] = true
		v := m.Value
		switch m.Key {
		case "Sid":
			s, ok := v.Scalar()
			if !ok {
				return st, v.Errorf("Statement[%d].Sid must be a string, found %s", index, v.Describe())
			}
			st.Sid = s
		case "Effect":
			s, _ := v.Str()
			if s != "Allow" && s != "Deny" {
				if v.Kind == doctree.String {
					return st, v.Errorf("Statement[%d].Effect must be \"Allow\" or \"Deny\", found %s", index, doctree.Quote(s))
				}
				return st, v.Errorf("Statement[%d].Effect must be \"Allow\" or \"Deny\", found %s", index, v.Describe())
			}
			st.Effect = s
		case "Principal":
			st.Principal, err = principal(v, index, m.Key)
		case "NotPrincipal":
			st.NotPrincipal, err = principal(v, index, m.Key)
		case "Action":
			st.Action, err = stringList(v, index, m.Key)
		case "NotAction":
			st.NotAction, err = stringList(v, index, m.Key)
		case "Resource":
			st.Resource, err = stringList(v, index, m.Key)
		case "NotResource":
			st.NotResource, err = stringList(v, index, m.Key)
		case "Condition":
			st.Condition, err = condition(v, index)
		default:
			return st, atKey(m).Errorf("Statement[%d] has unknown element %s (want Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition)", index, doctree.Quote(m.Key))
		}
		if err != nil {
			return st, err
		}
	}
	switch {
	case !seen["Effect"]:
		return st, n.Errorf("Statement[%d] has no Effect", index)
	case seen["Action"] && seen["NotAction"]:
		return st, n.Errorf("Statement[%d] has both Action and NotAction", index)
	case !seen["Action"] && !seen["NotAction"]:
		return st, n.Errorf("Statement[%d] has neither Action nor NotAction", index)
	case seen["Resource"] && seen["NotResource"]:
		return st, n.Errorf("Statement[%d] has both Resource and NotResource", index)
	case seen["Principal"] && seen["NotPrincipal"]:
		return st, n.Errorf("Statement[%d] has both Principal and NotPrincipal", index)
	}
	return st, nil
}

// stringList reads a string or a list of strings. An empty list stays an
// empty (non-nil) list.
func stringList(n *doctree.Node, index int, key string) ([]string, error) {
	switch n.Kind {
	case doctree.String:
		return []string{n.Text}, nil
	case doctree.Array:
		out := make([]string, 0, len(n.Elems))
		for _, e := range n.Elems {
			s, ok := e.Str()
			if !ok {
				return nil, e.Errorf("Statement[%d].%s must hold strings, found %s", index, key, e.Describe())
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, n.Errorf("Statement[%d].%s must be a string or a list of strings, found %s", index, key, n.Describe())
}

func principal(n *doctree.Node, index int, key string) (map[string][]string, error) {
	switch n.Kind {
	case doctree.String:
		if n.Text != "*" {
			return nil, n.Errorf("Statement[%d].%s must be \"*\" or an object such as {\"AWS\": …}, found %s", index, key, doctree.Quote(n.Text))
		}
		return map[string][]string{"AWS": {"*"}}, nil
	case doctree.Object:
		out := map[string][]string{}
		for _, m := range n.Members {
			// CloudFormation YAML often writes account ids unquoted;
			// CloudFormation hands them to IAM as strings.
			v := m.Value
			switch v.Kind {
			case doctree.Number:
				v = &doctree.Node{Kind: doctree.String, Text: v.Text, Line: v.Line, Col: v.Col}
			case doctree.Array:
				cp := *v
				cp.Elems = make([]*doctree.Node, len(v.Elems))
				for i, e := range v.Elems {
					if e.Kind == doctree.Number {
						e = &doctree.Node{Kind: doctree.String, Text: e.Text, Line: e.Line, Col: e.Col}
					}
					cp.Elems[i] = e
				}
				v = &cp
			}
			vals, err := stringList(v, index, key+"."+m.Key)
			if err != nil {
				return nil, err
			}
			out[m.Key] = append(out[m.Key], vals...)
		}
		return out, nil
	}
	return nil, n.Errorf("Statement[%d].%s must be \"*\" or an object, found %s", index, key, n.Describe())
}

// condition reads {operator: {key: value(s)}}. Keys are lower-cased, as
// IAM compares them case-insensitively; values of keys that differ only
// in case are merged. Values are strings: booleans and numbers keep their
// literal text, so "Bool": {"aws:SecureTransport": false} reads "false".
func condition(n *doctree.Node, index int) (map[string]map[string][]string, error) {
	if n.Kind != doctree.Object {
		return nil, n.Errorf("Statement[%d].Condition must be an object, found %s", index, n.Describe())
	}
	out := map[string]map[string][]string{}
	// A repeated operator or condition key: IAM reads only the last one
	// (Normalize reports the others as duplicates).
	for _, op := range lastMembers(n) {
		if op.Value.Kind != doctree.Object {
			return nil, op.Value.Errorf("Statement[%d].Condition.%s must be an object of condition keys, found %s", index, op.Key, op.Value.Describe())
		}
		keys := out[op.Key]
		if keys == nil {
			keys = map[string][]string{}
			out[op.Key] = keys
		}
		for _, k := range lastMembers(op.Value) {
			lk := strings.ToLower(k.Key)
			vals, err := conditionValues(k.Value, index, op.Key, k.Key)
			if err != nil {
				return nil, err
			}
			keys[lk] = append(keys[lk], vals...)
			if keys[lk] == nil {
				keys[lk] = []string{}
			}
		}
	}
	return out, nil
}

func conditionValues(n *doctree.Node, index int, op, key string) ([]string, error) {
	if s, ok := n.Scalar(); ok {
		return []string{s}, nil
	}
	if n.Kind == doctree.Array {
		out := make([]string, 0, len(n.Elems))
		for _, e := range n.Elems {
			s, ok := e.Scalar()
			if !ok {
				return nil, e.Errorf("Statement[%d].Condition.%s.%s must hold strings, numbers or booleans, found %s", index, op, key, e.Describe())
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, n.Errorf("Statement[%d].Condition.%s.%s must be a string, number, boolean or a list of them, found %s", index, op, key, n.Describe())
}

// IsTrust reports whether a document reads as a role trust policy rather
// than a permission policy: every statement names a principal and at least
// one grants (or denies) a role-assumption action: sts:AssumeRole,
// sts:AssumeRoleWithWebIdentity, sts:AssumeRoleWithSAML, or a wildcard
// that covers them.
func IsTrust(doc facts.PolicyDocument) bool {
	if len(doc.Statement) == 0 {
		return false
	}
	assume := false
	for _, st := range doc.Statement {
		if st.Principal == nil && st.NotPrincipal == nil {
			return false
		}
		for _, a := range st.Action {
			if coversAssumeRole(a) {
				assume = true
			}
		}
	}
	return assume
}

func coversAssumeRole(action string) bool {
	a := strings.ToLower(action)
	switch {
	case a == "*" || a == "sts:*":
		return true
	case strings.HasPrefix(a, "sts:assumerole"):
		return true
	case strings.HasPrefix(a, "sts:") && strings.ContainsAny(a, "*?"):
		// A pattern such as sts:Assume* covers the assume actions.
		// Either the pattern's literal part is a prefix of the action, or
		// the other way round.
		lit := strings.TrimRight(a, "*?")
		return strings.HasPrefix("sts:assumerole", lit) || strings.HasPrefix(lit, "sts:assumerole") //nolint:gocritic // argOrder: both orders, on purpose
	}
	return false
}
