// Package policycorpus measures secretgate's verdicts on single IAM
// policies taken from the real world: role trust policies and permission
// policies copied from public repositories, AWS documentation and published
// research, each stored verbatim under testdata/cases with its source
// (repository@commit:path#line or URL) and labelled by hand in
// testdata/labels.json before secretgate was run on it.
//
// TestPolicyCorpus judges every case through the real command line (one
// offline check over a directory holding all of them) and the real policy
// engine, scores the verdicts per class (trust exposure, broken, condition
// hygiene, permission power: cases, correct, false positives, false
// negatives, accuracy), prints the table, and fails when a case that is not
// a listed known miss disagrees with its label, when a known miss has
// become right (remove it from the list), or when the number of agreeing
// cases falls below testdata/baseline.json.
//
// The label-first rule: a batch's labels are written and committed before
// secretgate runs on it; a label changes afterwards only when the label
// itself was wrong, and the change is recorded in the case's history with
// why. docs/corpus.md explains how to add a case.
package policycorpus
