package policy

import (
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"golang.org/x/sync/errgroup"

	"github.com/secretgate/secretgate/internal/facts"
)

// inputValue turns the input document into OPA's value representation
// directly, without encoding JSON and parsing it back (which costs several
// times more on large accounts). The result equals what the document's JSON
// encoding — the one --write-input writes and docs/input.md describes —
// reads as; a test holds the two together.
func inputValue(input *facts.Input) (ast.Value, error) {
	return newConverter().structValueParallel(reflect.ValueOf(input).Elem())
}

// secretsValue converts secrets as the input document's secrets list
// reads: the elements inputValue makes of them, a large list in parallel.
func secretsValue(secrets []facts.Secret) (*ast.Array, error) {
	if secrets == nil {
		secrets = []facts.Secret{}
	}
	holder := struct {
		Secrets []facts.Secret `json:"secrets"`
	}{secrets}
	v, err := newConverter().structValueParallel(reflect.ValueOf(&holder).Elem())
	if err != nil {
		return nil, err
	}
	obj, _ := v.(ast.Object)
	if obj == nil {
		return nil, fmt.Errorf("secrets: converted to %T", v)
	}
	list, _ := obj.Get(ast.InternedTerm("secrets")).Value.(*ast.Array)
	if list == nil {
		return nil, fmt.Errorf("secrets: not converted to a list")
	}
	return list, nil
}

// structValueParallel is toValue for the input document's top level: its
// large lists (roles, policies, secrets) are converted in slices, one per
// core each, GOMAXPROCS slices at a time. The error is the first field's
// (in field order) and, within a list, the first slice's: the same kind of
// error in every slice is said once.
func (c *converter) structValueParallel(v reflect.Value) (ast.Value, error) {
	fields := fieldsOf(v.Type())
	terms := make([]*ast.Term, len(fields))
	errs := make([]error, len(fields))
	lists := make([][]*ast.Term, len(fields)) // the large lists' elements
	sliceErrs := make([][]error, len(fields)) // one per slice of a large list
	procs := runtime.GOMAXPROCS(0)
	var g errgroup.Group
	g.SetLimit(procs)
	for i, f := range fields {
		fv := v.FieldByIndex(f.index)
		if f.omitEmpty && isEmpty(fv) {
			continue
		}
		if fv.Kind() != reflect.Slice || fv.IsNil() || fv.Len() < parallelConvertLen {
			terms[i], errs[i] = newConverter().toTerm(fv)
			continue
		}
		n := fv.Len()
		elems := make([]*ast.Term, n)
		lists[i], sliceErrs[i] = elems, make([]error, procs)
		for k := range procs {
			lo, hi := k*n/procs, (k+1)*n/procs
			g.Go(func() error {
				conv := newConverter()
				for j := lo; j < hi; j++ {
					var err error
					if elems[j], err = conv.toTerm(fv.Index(j)); err != nil {
						sliceErrs[i][k] = err
						return nil //nolint:nilerr // kept by slice, so the error does not depend on timing
					}
				}
				return nil
			})
		}
	}
	_ = g.Wait()
	obj := ast.NewObjectWithCapacity(len(fields))
	for i, f := range fields {
		if errs[i] != nil {
			return nil, errs[i]
		}
		for _, err := range sliceErrs[i] {
			if err != nil {
				return nil, err
			}
		}
		if lists[i] != nil {
			terms[i] = ast.NewTerm(ast.NewArray(lists[i]...))
		}
		if terms[i] != nil {
			obj.Insert(f.key, terms[i])
		}
	}
	return obj, nil
}

// parallelConvertLen is the length from which a top-level list of the
// input is converted in parallel slices.
const parallelConvertLen = 256

type fieldInfo struct {
	name      string
	key       *ast.Term // the name as a term, shared by every object (OPA shares terms, too)
	index     []int
	omitEmpty bool
}

var fieldCache sync.Map // reflect.Type → []fieldInfo

// fieldsOf lists the JSON-visible fields of a struct type the way
// encoding/json does for the types used here: tags name fields, "-" hides
// them, omitempty is honoured and anonymous struct fields are flattened.
func fieldsOf(t reflect.Type) []fieldInfo {
	if v, ok := fieldCache.Load(t); ok {
		return v.([]fieldInfo)
	}
	var out []fieldInfo
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			idx := append(append([]int(nil), index...), i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type, idx)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			out = append(out, fieldInfo{name: name, key: ast.StringTerm(name), index: idx, omitEmpty: strings.Contains(opts, "omitempty")})
		}
	}
	walk(t, nil)
	fieldCache.Store(t, out)
	return out
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int64, reflect.Int32:
		return v.Int() == 0
	case reflect.Float64, reflect.Float32:
		return v.Float() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// converter turns Go values into OPA terms. Strings repeat a lot in the
// input (file names, effects, regions, sources): each distinct one becomes
// one term, shared like OPA's own interned terms.
type converter struct {
	strs map[string]*ast.Term
}

func newConverter() *converter { return &converter{strs: map[string]*ast.Term{}} }

// str is the shared term of s.
func (c *converter) str(s string) *ast.Term {
	if t, ok := c.strs[s]; ok {
		return t
	}
	t := ast.InternedTerm(s)
	c.strs[s] = t
	return t
}

// toTerm is toValue as a term; booleans, small numbers and common strings
// are OPA's shared (interned) terms.
func (c *converter) toTerm(v reflect.Value) (*ast.Term, error) {
	switch v.Kind() {
	case reflect.String:
		return c.str(v.String()), nil
	case reflect.Bool:
		return ast.InternedTerm(v.Bool()), nil
	case reflect.Int, reflect.Int64, reflect.Int32:
		return ast.InternedTerm(v.Int()), nil
	}
	x, err := c.toValue(v)
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(x), nil
}

func (c *converter) toValue(v reflect.Value) (ast.Value, error) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.NullValue, nil
		}
		return c.toValue(v.Elem())
	case reflect.String:
		return ast.String(v.String()), nil
	case reflect.Bool:
		return ast.Boolean(v.Bool()), nil
	case reflect.Int, reflect.Int64, reflect.Int32:
		return ast.Number(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Float64, reflect.Float32:
		return ast.Number(strconv.FormatFloat(v.Float(), 'g', -1, 64)), nil
	case reflect.Slice:
		if v.IsNil() {
			return ast.NullValue, nil
		}
		terms := make([]*ast.Term, v.Len())
		for i := range terms {
			t, err := c.toTerm(v.Index(i))
			if err != nil {
				return nil, err
			}
			terms[i] = t
		}
		return ast.NewArray(terms...), nil
	case reflect.Map:
		if v.IsNil() {
			return ast.NullValue, nil
		}
		if v.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("convert input: map key %s", v.Type().Key())
		}
		obj := ast.NewObjectWithCapacity(v.Len())
		iter := v.MapRange()
		for iter.Next() {
			t, err := c.toTerm(iter.Value())
			if err != nil {
				return nil, err
			}
			obj.Insert(c.str(iter.Key().String()), t)
		}
		return obj, nil
	case reflect.Struct:
		fields := fieldsOf(v.Type())
		obj := ast.NewObjectWithCapacity(len(fields))
		for _, f := range fields {
			fv := v.FieldByIndex(f.index)
			if f.omitEmpty && isEmpty(fv) {
				continue
			}
			t, err := c.toTerm(fv)
			if err != nil {
				return nil, err
			}
			obj.Insert(f.key, t)
		}
		return obj, nil
	}
	return nil, fmt.Errorf("convert input: unsupported kind %s", v.Kind())
}
