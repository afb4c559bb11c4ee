package leaks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// TestNameReferences: a match is marked only where a reference says a
// name lies (file and line) and only when its text is that name; the
// finding set stays exactly the engine's.
func TestNameReferences(t *testing.T) {
	key := leakstest.AWSKey(t)
	// The name trips gitleaks' generic-api-key rule; it is built at run
	// time so that this file holds no line the rule flags.
	name := "dev/canary" + "ph/db"
	config := "credentials:\n" +
		"  - secret: " + name + "\n" + // 2: a reference
		"  - secret: " + name + "\n" + // 3: same text, no reference for this line
		"  - secret: " + name + "\n" + // 4: a reference to another name
		"  - aws_access_key_id: " + key + "\n" + // 5: a reference's line, but a key
		"  - secret: " + key + "\n" // 6: a key pasted as the name: a specific rule, never excused
	refs := []NameReference{
		{File: ".secretgate.yml", Line: 2, Name: name, Describe: "credential name"},
		{File: ".secretgate.yml", Line: 4, Name: name[:len(name)-1], Describe: "credential name"},
		{File: ".secretgate.yml", Line: 5, Name: key[:8], Describe: "credential name"},
		{File: ".secretgate.yml", Line: 6, Name: key, Describe: "credential name"},
		{File: "copy.yml", Line: 9, Name: name, Describe: "credential name"},
	}
	r := newRepo(t)
	r.write(".secretgate.yml", config)
	r.write("copy.yml", config) // the same lines in another file
	r.commit("config", "A")

	for _, scope := range []Scope{{}, {Kind: History}} {
		t.Run(scope.String(), func(t *testing.T) {
			plain := scan(t, r.dir, scope)
			marked, err := scanErr(t, r.dir, scope, func(s *Scanner) { s.References = refs })
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range marked.Findings {
				got = append(got, fmt.Sprintf("%s:%d %s %q", f.File, f.Line, f.RuleID, f.NameReference))
			}
			want := []string{
				`.secretgate.yml:2 generic-api-key "credential name"`,
				`.secretgate.yml:3 generic-api-key ""`,
				`.secretgate.yml:4 generic-api-key ""`,
				`.secretgate.yml:5 aws-access-token ""`,
				`.secretgate.yml:6 aws-access-token ""`,
				`copy.yml:2 generic-api-key ""`,
				`copy.yml:3 generic-api-key ""`,
				`copy.yml:4 generic-api-key ""`,
				`copy.yml:5 aws-access-token ""`,
				`copy.yml:6 aws-access-token ""`,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			// Marking changes nothing else: the same findings as without.
			for i := range marked.Findings {
				marked.Findings[i].NameReference = ""
			}
			if diff := cmp.Diff(plain.Findings, marked.Findings); diff != "" {
				t.Errorf("references changed the finding set (-without +with):\n%s", diff)
			}
			if s := fmt.Sprintf("%+v", marked); strings.Contains(s, key[4:]) {
				t.Error("the key escaped")
			}
		})
	}
}
