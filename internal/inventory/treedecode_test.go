package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/secretgate/secretgate/internal/doctree"
)

// TestFromTreeMatchesUnmarshal holds the decoding from the parsed tree to
// json.Unmarshal of the same text: the same snapshot for snapshots as
// secretgate writes them and for hand-written ones (keys in another case,
// repeated keys, nulls, unknown keys, documents with odd spacing).
func TestFromTreeMatchesUnmarshal(t *testing.T) {
	var written bytes.Buffer
	if err := Write(&written, sample()); err != nil {
		t.Fatal(err)
	}
	inputs := map[string]string{
		"written by secretgate": written.String(),
		"hand written": `{"schema": "secretgate/inventory/v1", "Generated_At": "2026-11-26T12:00:00+01:00", "unknown": {"x": [1, 2]},
 "regions": null, "account": "1", "account": "123456789012",
 "secrets": [
  {"name": "prod/a/api", "NAME": "prod/b/api", "tags": {"k": "v", "k": "w"}, "tags": {"z": "1"}, "rotation_enabled": true,
   "rotation_days": 30, "versions": {"count": 2, "has_current": true}, "resource_policy": {"Statement" : [ {"Effect":"Allow", "Action" :"s:*","Resource":"*"} ] },
   "created_date": null, "last_rotated_date": "2026-01-02T03:04:05.123456789Z", "kms_key_id": "k\u00e9y\n\"q\""},
  {"name": "dev/x/y", "versions": null, "resource_policy": null, "tags": null}
 ],
 "roles": [{"name": "r", "arn": "arn:aws:iam::1:role/r", "trust": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "x"}, "Action": "sts:AssumeRole"}]},
   "inline_policies": [{"name": "p", "document": {"Statement": "[\"not json\"]"}}], "attached_policy_arns": [], "max_session_duration": 3600}],
 "policies": [], "oidc_providers": [{"arn": "arn:x", "client_ids": ["sts.amazonaws.com"], "thumbprints": null}]
}`,
	}
	for name, src := range inputs {
		t.Run(name, func(t *testing.T) {
			var want Snapshot
			if err := json.Unmarshal([]byte(src), &want); err != nil {
				t.Fatal(err)
			}
			root, err := doctree.ParseJSON([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			var got Snapshot
			if err := fromTree([]byte(src), root, &got, nil); err != nil {
				t.Fatal(err)
			}
			opts := []cmp.Option{cmpopts.IgnoreUnexported(Snapshot{}), cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) && a.Location().String() == b.Location().String() })}
			if diff := cmp.Diff(want, got, opts...); diff != "" {
				t.Errorf("tree decoding differs from json.Unmarshal (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFromTreeTypeErrors: a value of the wrong type is reported with the
// field's JSON path and the value's line, as before with json.Unmarshal.
func TestFromTreeTypeErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"string for a number", "{\"secrets\": [{\"name\": \"a\",\n \"rotation_days\": \"30\"}]}", "2: secrets.rotation_days must be a number, found string"},
		{"fraction for an int", "{\"roles\": [\n{\"max_session_duration\": 1.5}]}", "2: roles.max_session_duration must be a number, found number 1.5"},
		{"number for a string", "{\"account\": 12}", "1: account must be a string, found number"},
		{"object for a list", "{\"regions\": {}}", "1: regions must be a list, found object"},
		{"list for an object", "{\"secrets\": [{\"versions\": []}]}", "1: secrets.versions must be an object, found array"},
		{"string for a bool", "{\"secrets\": [{\"rotation_enabled\": \"yes\"}]}", "1: secrets.rotation_enabled must be true or false, found string"},
		{"number in tags", "{\"secrets\": [{\"tags\": {\"env\": 1}}]}", "1: secrets.tags.env must be a string, found number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, err := doctree.ParseJSON([]byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			var s Snapshot
			err = fromTree([]byte(tc.src), root, &s, nil)
			var te *doctree.Error
			if err == nil || !strings.HasPrefix(fmtTreeError(err, &te), tc.want) {
				t.Errorf("err = %v, want %s", err, tc.want)
			}
			if json.Unmarshal([]byte(tc.src), &Snapshot{}) == nil {
				t.Errorf("json.Unmarshal accepts %s, so must the tree decoding", tc.src)
			}
		})
	}
}

func fmtTreeError(err error, te **doctree.Error) string {
	var e *doctree.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	*te = e
	return strings.TrimSpace(strings.Join([]string{itoa(e.Line) + ":", e.Msg}, " "))
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+i))) }
