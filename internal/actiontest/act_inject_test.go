package actiontest

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// ownCommand matches the workflow commands secretgate and the action write
// themselves here: annotations with properties (no live run: no masks).
var ownCommand = regexp.MustCompile(`^::(error|warning|notice) (file|title)=`)

// TestActRepositoryTextInjectsNoCommands runs the example pull-request
// workflow with act over a pull request whose IAM policy carries, in a
// Sid, line breaks followed by workflow commands: an annotation, a mask
// and a stop-commands (which would silence secretgate's own annotations
// after it). The runner (act) must see none of them as a command, and
// secretgate's own annotation for the file must still be there.
func TestActRepositoryTextInjectsNoCommands(t *testing.T) {
	actBin, err := toolPath(t, "act")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("act not found and CI is set: make tools installs it (.ci/run runs it); %v", err)
		}
		t.Skipf("act not found (run make tools); CI runs this test: %v", err)
	}
	const sid = "Admin\n::error::INJECTED-ANNOTATION\n::add-mask::secretgate\n::stop-commands::STOPTOKEN\n##[add-mask]iam"
	sidJSON, err := json.Marshal(sid)
	if err != nil {
		t.Fatal(err)
	}
	policy := `{"Version": "2012-10-17", "Statement": [{"Sid": ` + string(sidJSON) + `, "Effect": "Allow", "Action": "*", "Resource": "*"}]}`

	gh := newGitHubStub(t, "read-only-token")
	pr := newPRRepository(t)
	base := pr.commit(t, "main", "", nil)
	head := pr.commit(t, "feature", base, map[string]string{"iam/injected-admin.json": policy})
	r := actRun(t, actBin, pr, gh, actCase{number: 11, base: base, head: head, token: "write-token"})

	for _, ev := range r.events() {
		switch ev.Command {
		case "add-mask", "stop-commands":
			t.Errorf("the runner ran a %s command from repository text: %q", ev.Command, ev.Msg)
		case "error":
			if strings.Contains(ev.Msg, "INJECTED-ANNOTATION") && !strings.Contains(ev.Msg, "file=") {
				t.Errorf("an injected annotation reached the runner: %q", ev.Msg)
			}
		}
		// act does not trim a line's leading white space before looking
		// for a command; GitHub's runner does, and reads "##[" anywhere:
		// every log line is checked the runner's way.
		for _, line := range strings.Split(ev.Msg, "\n") {
			if l := strings.TrimSpace(line); strings.HasPrefix(l, "::") && !ownCommand.MatchString(l) {
				t.Errorf("a log line the runner would read as a command: %q", line)
			}
			if strings.Contains(line, "##[") {
				t.Errorf("a log line carries ##[: %q", line)
			}
		}
	}
	if !r.annotated("iam/injected-admin.json") {
		t.Errorf("secretgate's own annotation for the file is missing (silenced?):\n%s", r.tail())
	}
	if r.outcome != "failure" {
		t.Errorf("step outcome %q, want failure (an admin policy)", r.outcome)
	}
	if testing.Verbose() {
		for _, ev := range r.events() {
			if ev.Command != "" || strings.Contains(ev.Msg, "INJECTED") {
				t.Logf("event command=%q msg=%.200q", ev.Command, ev.Msg)
			}
		}
	}
}
