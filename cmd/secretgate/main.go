package main
import (
 _ "github.com/open-policy-agent/opa/v1/rego"
 _ "github.com/open-policy-agent/opa/v1/tester"
 _ "gopkg.in/yaml.v3"
 _ "github.com/spf13/cobra"
 _ "github.com/hashicorp/terraform-json"
 _ "github.com/santhosh-tekuri/jsonschema/v6"
 _ "github.com/bmatcuk/doublestar/v4"
 _ "github.com/google/go-cmp/cmp"
 _ "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)
func main(){}
