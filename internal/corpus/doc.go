// Package corpus measures secretgate on real infrastructure code: testdata
// holds the infrastructure files of public repositories (Terraform modules
// and examples, CloudFormation and SAM templates, CDK apps with and without
// synthesized output), each with its provenance and licence, and
// testdata/expected.json the counts and trust verdicts made by hand from
// reading them. TestCorpus runs the real command line offline over each
// repository and compares; go test -v -run TestCorpus prints a table of
// what was judged per repository.
package corpus
