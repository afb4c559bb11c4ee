package source

import (
	"context"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safefile"
)

// Infrastructure code secretgate cannot read as written (a CDK or CDKTF
// program, a Pulumi project, a Serverless Framework service) defines roles
// and secrets all the same. A walk notes the project files that say such
// code is there; a project whose synthesized output the walk read (CDK's
// cdk.out templates, a Serverless package's CloudFormation) is judged
// through that output, any other is listed in Result.NotJudged with the
// command that would make it judgeable. It never counts as a pass.
//
// Terraform configuration (.tf) is not listed here: it is the Terraform
// reader's to judge.

// iacProject is a kind of infrastructure project, known by the base name
// of its project file.
type iacProject struct {
	// what names the project in the message.
	what string
	// outputKey is the project file's JSON key that renames the output
	// directory ("" when it has none); defaultOutput is the directory's
	// default name, relative to the project file ("" when no output of
	// the project can be read).
	outputKey, defaultOutput string
	// outputKinds are the kinds a file of the output may be read as for
	// the project to count as judged.
	outputKinds []Kind
	// outputSuffix, when set, is how the name of an output file ends: a
	// CDK app's templates are *.template.json, whatever else its output
	// directory (or, with "output": ".", the app itself) holds.
	outputSuffix string
	// fix says how to make the project judgeable.
	fix string
}

// iacProjects maps project file names to their project kind.
var iacProjects = map[string]iacProject{
	"cdk.json": {
		what: "an AWS CDK app", outputKey: "output", defaultOutput: "cdk.out", outputKinds: []Kind{KindCloudFormation}, outputSuffix: ".template.json",
		fix: "run `cdk synth` before secretgate and keep cdk.out (its *.template.json files are read as CloudFormation)",
	},
	"cdktf.json": {
		what: "a CDK for Terraform app", outputKey: "output", defaultOutput: "cdktf.out", outputKinds: []Kind{KindTerraform, KindTerraformHCL},
		fix: "run `cdktf synth` before secretgate and keep cdktf.out (its stacks/*/cdk.tf.json is read as Terraform configuration)",
	},
	"Pulumi.yaml": {
		what: "a Pulumi project",
		fix:  "secretgate cannot read Pulumi programs: judge the deployed account with the live checks (--role-arn), or exclude the file to accept that it is not judged",
	},
	"Pulumi.yml": {
		what: "a Pulumi project",
		fix:  "secretgate cannot read Pulumi programs: judge the deployed account with the live checks (--role-arn), or exclude the file to accept that it is not judged",
	},
	"serverless.yml":  serverlessProject,
	"serverless.yaml": serverlessProject,
	"serverless.json": serverlessProject,
	"serverless.ts":   serverlessProject,
}

var serverlessProject = iacProject{
	what: "a Serverless Framework service", defaultOutput: ".serverless", outputKinds: []Kind{KindCloudFormation},
	fix: "run `serverless package` before secretgate and keep .serverless (its CloudFormation templates are read)",
}

// cdkAssemblyMarker is the file every CDK cloud assembly directory holds
// (cdk.out/cdk.out, with the assembly's schema version).
const cdkAssemblyMarker = "cdk.out"

// iacTracker follows one walk: the project files met and which
// directories are CDK cloud assemblies.
type iacTracker struct {
	projects []string // project files, relative to the root
	assembly map[string]bool
}

// noteFile records a project file the walk met.
func (t *iacTracker) noteFile(rel string) {
	if _, ok := iacProjects[path.Base(rel)]; ok {
		t.projects = append(t.projects, rel)
	}
}

// isAssembly reports whether the directory dir (on disk) is a CDK cloud
// assembly.
func (t *iacTracker) isAssembly(dir string) bool {
	if t.assembly == nil {
		t.assembly = map[string]bool{}
	}
	is, seen := t.assembly[dir]
	if !seen {
		st, err := os.Lstat(filepath.Join(dir, cdkAssemblyMarker))
		is = err == nil && st.Mode().IsRegular()
		t.assembly[dir] = is
	}
	return is
}

// skipDir reports whether the directory at p is a CDK asset (a Lambda
// bundle, a Docker context): other people's files, never templates.
func (t *iacTracker) skipDir(p, name string) bool {
	return strings.HasPrefix(name, "asset.") && t.isAssembly(filepath.Dir(p))
}

// skipFile reports whether the file at p, in a CDK cloud assembly, is not
// a template: manifest.json, tree.json, *.assets.json, file assets.
func (t *iacTracker) skipFile(p, name string) bool {
	return !strings.HasSuffix(name, ".template.json") && t.isAssembly(filepath.Dir(p))
}

// notJudged lists the project files whose code no file read stands for.
// read maps the files read to their kind.
func (t *iacTracker) notJudged(ctx context.Context, root string, read map[string]Kind) []result.InputProblem {
	var out []result.InputProblem
	for _, rel := range t.projects {
		proj := iacProjects[path.Base(rel)]
		dir := path.Dir(rel)
		if proj.defaultOutput != "" {
			outDir := path.Join(dir, outputDir(ctx, root, rel, proj))
			if readUnder(read, outDir, proj.outputKinds, proj.outputSuffix) {
				continue
			}
		}
		out = append(out, result.InputProblem{File: rel, Message: proj.what + " — " + proj.fix})
	}
	sortProblems(out)
	return out
}

// outputDir is the project's output directory, relative to its project
// file: the project file's own setting when it has one.
func outputDir(ctx context.Context, root, rel string, proj iacProject) string {
	if proj.outputKey == "" {
		return proj.defaultOutput
	}
	data, err := safefile.Read(ctx, root, filepath.Join(root, filepath.FromSlash(rel)), 1<<20)
	if err != nil {
		return proj.defaultOutput
	}
	var settings map[string]any
	if json.Unmarshal(data, &settings) != nil {
		return proj.defaultOutput
	}
	if s, ok := settings[proj.outputKey].(string); ok && s != "" && !path.IsAbs(s) {
		return path.Clean(s)
	}
	return proj.defaultOutput
}

// readUnder reports whether a file of one of kinds under dir, named
// …suffix, was read.
func readUnder(read map[string]Kind, dir string, kinds []Kind, suffix string) bool {
	prefix := dir + "/"
	if dir == "." {
		prefix = ""
	}
	for rel, kind := range read {
		if slices.Contains(kinds, kind) && strings.HasPrefix(rel, prefix) && strings.HasSuffix(rel, suffix) {
			return true
		}
	}
	return false
}
