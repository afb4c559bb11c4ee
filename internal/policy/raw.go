package policy

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// A query's findings are read straight from OPA's values into Raw
// records: converting 10,000 findings into generic Go maps first (OPA's
// default) and reading the maps then costs about as much as a small rule
// family. The records read exactly as rawFromObject reads the generic
// form of the same values; a test holds the two together.

// foundSet is what a findings query's value converts to: its findings in
// set order, each with the term it was read from (to tell equal findings
// apart from merely alike ones when several parts produce a rule id).
type foundSet struct {
	raws  []Raw
	terms []*ast.Term
}

// readError carries readFindings' errors through the evaluation unchanged.
type readError struct{ error }

func (e readError) Unwrap() error { return e.error }

// readFindings is the rego.EvalGenerateJSON converter of findings queries.
func readFindings(t *ast.Term, _ *rego.EvalContext) (any, error) {
	found, err := readFoundSet(t)
	if err != nil {
		return nil, readError{err}
	}
	return found, nil
}

func readFoundSet(t *ast.Term) (foundSet, error) {
	set, ok := t.Value.(ast.Set)
	if !ok {
		v, err := ast.JSON(t.Value)
		if err != nil {
			return foundSet{}, fmt.Errorf("evaluate policies: findings is %v, want a set", t.Value)
		}
		return foundSet{}, fmt.Errorf("evaluate policies: findings is %T, want a set", v)
	}
	out := foundSet{raws: make([]Raw, 0, set.Len()), terms: make([]*ast.Term, 0, set.Len())}
	err := set.Iter(func(x *ast.Term) error {
		obj, ok := x.Value.(ast.Object)
		if !ok {
			v, err := ast.JSON(x.Value)
			if err != nil {
				return fmt.Errorf("evaluate policies: a finding is %v, want an object", x.Value)
			}
			return fmt.Errorf("evaluate policies: a finding is %T, want an object", v)
		}
		r, err := rawFromAST(obj)
		if err != nil {
			return err
		}
		out.raws = append(out.raws, r)
		out.terms = append(out.terms, x)
		return nil
	})
	return out, err
}

// Keys of the finding fields, shared by every lookup.
var (
	keyRule         = ast.StringTerm("rule")
	keyResource     = ast.StringTerm("resource")
	keyMessage      = ast.StringTerm("message")
	keyFile         = ast.StringTerm("file")
	keyLine         = ast.StringTerm("line")
	keyKey          = ast.StringTerm("key")
	keySeverity     = ast.StringTerm("severity")
	keyRemediation  = ast.StringTerm("remediation")
	keyCommit       = ast.StringTerm("commit")
	keyWaived       = ast.StringTerm("waived")
	keyWaiverReason = ast.StringTerm("waiver_reason")
	keyWaiverOwner  = ast.StringTerm("waiver_owner")
)

// rawFromAST is rawFromObject over OPA's value of the finding.
func rawFromAST(obj ast.Object) (Raw, error) {
	var r Raw
	var err error
	str := func(k *ast.Term) string {
		t := obj.Get(k)
		if t == nil {
			return ""
		}
		switch v := t.Value.(type) {
		case ast.String:
			return string(v)
		case ast.Null:
			return ""
		}
		x, e := ast.JSON(t.Value)
		if e != nil && err == nil {
			err = fmt.Errorf("%w: finding field %v: %v", ErrPolicy, k, e)
		}
		return fmt.Sprint(x)
	}
	r.Rule = str(keyRule)
	if r.Rule == "" {
		m, e := ast.JSON(obj)
		if e != nil {
			return r, fmt.Errorf("%w: %w", ErrPolicy, errMissingRule)
		}
		o, _ := m.(map[string]any)
		return r, fmt.Errorf("%w: %w: %v", ErrPolicy, errMissingRule, keys(o))
	}
	r.Resource = str(keyResource)
	r.Message = str(keyMessage)
	r.File = path.Clean(filepath.ToSlash(str(keyFile)))
	if r.File == "." {
		r.File = ""
	}
	if t := obj.Get(keyLine); t != nil {
		if n, ok := t.Value.(ast.Number); ok {
			i, _ := json.Number(n).Int64()
			r.Line = int(i)
		}
	}
	r.Key = str(keyKey)
	r.Severity = str(keySeverity)
	r.Remediation = str(keyRemediation)
	r.Commit = str(keyCommit)
	if t := obj.Get(keyWaived); t != nil {
		b, _ := t.Value.(ast.Boolean)
		r.Waived = bool(b)
	}
	r.WaiverReason = str(keyWaiverReason)
	r.WaiverOwner = str(keyWaiverOwner)
	return r, err
}
