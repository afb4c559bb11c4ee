package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/secretgate/secretgate/internal/doctree"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/inventory"
	"github.com/secretgate/secretgate/internal/result"
)

// Kind is what a file was recognised as.
type Kind string

// File kinds, told apart by content (see sniff).
const (
	KindUnknown        Kind = ""
	KindIAMPolicy      Kind = "iam-policy"     // a standalone policy document, trust or permission
	KindIAMAPI         Kind = "iam-api"        // an IAM API or CLI response (get-role, GetAccountAuthorizationDetails, ...)
	KindCloudFormation Kind = "cloudformation" // a CloudFormation or SAM template
	KindTerraform      Kind = "terraform"      // terraform show -json output (plan or state)
	KindInventory      Kind = "inventory"      // a secretgate inventory snapshot
)

// Source values of facts.
const (
	sourceIAMJSON        = "iam-json"
	sourceCloudFormation = "cloudformation"
	sourceTerraform      = "terraform"
)

// fileResult is what one file contributed.
type fileResult struct {
	kind     Kind
	roles    []facts.Role
	policies []facts.Policy
	secrets  []facts.Secret
	skip     *result.InputProblem
	// skips are parts of the file not judged by design (a Terraform
	// policy that is empty with the variables' defaults).
	skips []result.InputProblem
	errs  []result.InputProblem
}

// problem turns an error into an InputProblem of file rel; *doctree.Error
// positions become the line (the column joins the message).
func problem(rel string, err error) result.InputProblem {
	var te *doctree.Error
	if errors.As(err, &te) {
		msg := te.Msg
		if te.Col > 0 {
			msg = fmt.Sprintf("%s (column %d)", msg, te.Col)
		}
		return result.InputProblem{File: rel, Line: te.Line, Message: msg}
	}
	return result.InputProblem{File: rel, Message: err.Error()}
}

func (r *fileResult) fail(rel string, err error) {
	r.errs = append(r.errs, problem(rel, err))
}

// sniffMarkers are strings every file of a known kind contains somewhere.
// Files without any of them are only checked for well-formedness, which is
// much cheaper than building a tree (package-lock.json, fixtures, ...).
var sniffMarkers = [][]byte{
	[]byte("Statement"),
	[]byte("format_version"),
	[]byte("AWS::"),
	[]byte(inventory.SchemaPrefix),
	[]byte("AWSTemplateFormatVersion"),
}

func hasMarker(data []byte) bool {
	for _, m := range sniffMarkers {
		if bytes.Contains(data, m) {
			return true
		}
	}
	return false
}

// parseFile recognises and parses one file. It never panics: a parser bug
// on hostile input becomes an error for this file, and the scan goes on.
// (The fuzz tests call parseContent directly, so such bugs do not hide.)
func parseFile(rel string, data []byte) fileResult {
	return parseFileWith(rel, data, parseOptions{})
}

// parseOptions is what a scan's Options tell the parsers.
type parseOptions struct {
	cfnParams map[string]string // Options.CloudFormationParameters
}

func (o Options) parseOptions() parseOptions {
	return parseOptions{cfnParams: o.CloudFormationParameters}
}

// parseFileWith is parseFile with the scan's options.
func parseFileWith(rel string, data []byte, po parseOptions) (out fileResult) {
	defer func() {
		if r := recover(); r != nil {
			out = fileResult{errs: []result.InputProblem{{File: rel, Message: fmt.Sprintf("internal error while parsing (please report it): %v", r)}}}
		}
	}()
	return parseContentWith(rel, data, po)
}

func parseContent(rel string, data []byte) fileResult {
	return parseContentWith(rel, data, parseOptions{})
}

func parseContentWith(rel string, data []byte, po parseOptions) fileResult {
	data, out, ok := decodeText(rel, data)
	if !ok {
		return out
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return fileResult{} // an empty file is nothing
	}
	ext := strings.ToLower(path.Ext(rel))

	// A policy document URL-encoded as the IAM API returns it.
	if iamEncoded(trimmed) {
		n := &doctree.Node{Kind: doctree.String, Text: string(trimmed), Line: firstLine(data), Col: 1}
		return parseIAMPolicy(rel, n)
	}

	isJSON := ext == ".json" || (ext == ".template" && (trimmed[0] == '{' || trimmed[0] == '['))
	if isJSON {
		return parseJSONFile(rel, data, ext, po)
	}
	return parseYAMLFile(rel, data, ext, po)
}

func iamEncoded(b []byte) bool {
	return len(b) >= 3 && b[0] == '%' && b[1] == '7' && (b[2] == 'B' || b[2] == 'b')
}

// firstLine returns the line of data's first non-blank byte.
func firstLine(data []byte) int {
	off := len(data) - len(bytes.TrimLeft(data, " \t\r\n\xEF\xBB\xBF"))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

func parseJSONFile(rel string, data []byte, ext string, po parseOptions) fileResult {
	if !hasMarker(data) {
		if validJSON(data) {
			return fileResult{}
		}
	}
	root, err := doctree.ParseJSON(data)
	if err != nil {
		if ext == ".template" && !bytes.Contains(data, []byte("AWS::")) {
			return fileResult{} // some other tool's template
		}
		if templated(data) {
			return skipped(rel, "contains template markup ({{ … }}), not parsed")
		}
		// Editor settings and tsconfig files are JSON with comments. If
		// the file parses once comments are blanked and is none of
		// secretgate's kinds, it is not ours to judge; if it is one of
		// them, AWS would reject it, so the strict error stands.
		if stripped, changed := doctree.StripComments(data); changed {
			if lenient, lerr := doctree.ParseJSON(stripped); lerr == nil && sniff(lenient) == KindUnknown {
				return fileResult{}
			}
		}
		return fileResult{errs: []result.InputProblem{problem(rel, err)}}
	}
	return parseTree(rel, data, root, po)
}

func validJSON(data []byte) bool {
	return json.Valid(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))
}

func parseYAMLFile(rel string, data []byte, ext string, po parseOptions) fileResult {
	docs, err := doctree.ParseYAML(data, cfnShortTag)
	if err != nil {
		if ext == ".template" && !bytes.Contains(data, []byte("AWS::")) {
			return fileResult{} // some other tool's template
		}
		if templated(data) {
			return skipped(rel, "contains template markup ({{ … }}), not parsed")
		}
		return fileResult{errs: []result.InputProblem{problem(rel, err)}}
	}
	var out fileResult
	for _, d := range docs {
		if sniff(d) != KindCloudFormation {
			continue
		}
		r := parseTree(rel, nil, d, po)
		out.kind = r.kind
		out.roles = append(out.roles, r.roles...)
		out.policies = append(out.policies, r.policies...)
		out.secrets = append(out.secrets, r.secrets...)
		out.errs = append(out.errs, r.errs...)
	}
	return out
}

// templated reports whether a file that failed to parse is a template for
// some other tool (Helm charts, Jinja, Go templates): those are not YAML
// or JSON until rendered, and failing the run over them would only teach
// users to exclude whole directories.
func templated(data []byte) bool {
	return bytes.Contains(data, []byte("{{")) || bytes.Contains(data, []byte("{%"))
}

// parseTree dispatches a parsed document to the parser of its kind. data
// is the file's content for JSON files, nil for YAML documents.
func parseTree(rel string, data []byte, root *doctree.Node, po parseOptions) fileResult {
	switch k := sniff(root); k {
	case KindInventory:
		if data == nil {
			return fileResult{} // snapshots are JSON
		}
		return parseInventory(rel, data, root)
	case KindTerraform:
		return parseTerraform(rel, root)
	case KindCloudFormation:
		return parseCloudFormation(rel, root, po)
	case KindIAMPolicy:
		return parseIAMPolicy(rel, root)
	case KindIAMAPI:
		return parseIAMAPI(rel, root)
	}
	return fileResult{}
}

// sniff tells what a document is by its content:
//
//   - a "schema" of secretgate/inventory/...: an inventory snapshot;
//   - "format_version" with planned_values, resource_changes or values:
//     terraform show -json output;
//   - AWSTemplateFormatVersion, or Resources holding an AWS:: Type:
//     a CloudFormation (or SAM) template;
//   - Statement with Version or with statements that have an Effect: an
//     IAM policy document; a JSON string holding one counts too;
//   - RoleDetailList, {"Role": {"AssumeRolePolicyDocument"}},
//     PolicyDocument with PolicyName, {"PolicyVersion": {"Document"}}: IAM
//     API responses (GetAccountAuthorizationDetails, GetRole,
//     GetRolePolicy, GetPolicyVersion).
func sniff(n *doctree.Node) Kind {
	if n == nil {
		return KindUnknown
	}
	if n.Kind == doctree.String {
		t := strings.TrimSpace(n.Text)
		if iamEncoded([]byte(t)) || (strings.HasPrefix(t, "{") && strings.Contains(t, "Statement")) {
			return KindIAMPolicy
		}
		return KindUnknown
	}
	if n.Kind != doctree.Object {
		return KindUnknown
	}
	if s, ok := n.Get("schema").Str(); ok && strings.HasPrefix(s, inventory.SchemaPrefix) {
		return KindInventory
	}
	if n.Get("format_version") != nil && (n.Get("planned_values") != nil || n.Get("resource_changes") != nil || n.Path("values", "root_module") != nil) {
		return KindTerraform
	}
	if n.Get("AWSTemplateFormatVersion") != nil || hasAWSResource(n.Get("Resources")) || samTransform(n.Get("Transform")) {
		return KindCloudFormation
	}
	if st := n.Get("Statement"); st != nil {
		if n.Get("Version") != nil || hasEffect(st) {
			return KindIAMPolicy
		}
	}
	if n.Get("RoleDetailList") != nil && n.Get("RoleDetailList").Kind == doctree.Array {
		return KindIAMAPI
	}
	if n.Path("Role", "AssumeRolePolicyDocument") != nil || n.Path("PolicyVersion", "Document") != nil {
		return KindIAMAPI
	}
	if n.Get("PolicyDocument") != nil && n.Get("PolicyName") != nil {
		return KindIAMAPI
	}
	return KindUnknown
}

// samTransform reports whether a Transform names the SAM transform
// (AWS::Serverless-2016-10-31), alone or in a list.
func samTransform(t *doctree.Node) bool {
	if s, ok := t.Str(); ok {
		return strings.HasPrefix(s, "AWS::Serverless")
	}
	if t != nil && t.Kind == doctree.Array {
		for _, e := range t.Elems {
			if samTransform(e) {
				return true
			}
		}
	}
	return false
}

func hasAWSResource(res *doctree.Node) bool {
	if res == nil || res.Kind != doctree.Object {
		return false
	}
	for _, m := range res.Members {
		if t, ok := m.Value.Get("Type").Str(); ok && strings.HasPrefix(t, "AWS::") {
			return true
		}
	}
	return false
}

func hasEffect(st *doctree.Node) bool {
	if st.Kind == doctree.Object {
		return st.Get("Effect") != nil
	}
	for _, e := range st.Elems {
		if e.Get("Effect") != nil {
			return true
		}
	}
	return false
}

// inlinePolicy is the fact of role's inline policy name (every parser
// names it "<role id>#inline/<name>"), and lists it among role's policies.
func inlinePolicy(role *facts.Role, name string, doc facts.PolicyDocument, source string, loc facts.Location) facts.Policy {
	id := role.ID + "#inline/" + name
	role.PolicyIDs = appendUnique(role.PolicyIDs, id)
	return facts.Policy{
		ID: id, Name: name, Kind: "inline", RoleIDs: []string{role.ID},
		Document: doc, Source: source, Location: loc,
	}
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func boolPtr(b bool) *bool { return &b }

// baseName is a file's base name without its extension.
func baseName(rel string) string {
	b := path.Base(rel)
	return strings.TrimSuffix(b, path.Ext(b))
}
