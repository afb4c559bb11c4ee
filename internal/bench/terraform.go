package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// TerraformFilesPerRoot is how many .tf/.tfvars files one generated root
// holds: main.tf, variables.tf, policies.tf, secrets.tf and terraform.tfvars
// at the root, and main.tf, variables.tf and outputs.tf of its local module
// modules/github-role.
const TerraformFilesPerRoot = 8

// TerraformTree writes nRoots Terraform roots under dir, shaped like the
// public modules people use for GitHub OIDC roles and secrets
// (terraform-aws-modules/iam, unfunco/oidc-github,
// terraform-aws-modules/secrets-manager): each root calls a local module
// with for_each over three environments, the module renders its trust with
// data "aws_iam_policy_document" (dynamic conditions, subjects built with
// format/formatlist, an aud condition on two of three), attaches an inline
// policy reading the environment's secrets, and the root defines secrets
// with for_each, a rotation on most of them, tfvars and locals with merge.
// Some roots are bad on purpose (a whole-organisation subject, no aud, a
// wildcard secret read), as in real code. The same nRoots give the same
// files. It returns the number of files written.
func TerraformTree(dir string, nRoots int) (int, error) {
	files := 0
	for i := range nRoots {
		root := filepath.Join(dir, fmt.Sprintf("svc-%04d", i))
		svc := services[i%len(services)]
		for name, text := range terraformRoot(i, svc) {
			path := filepath.Join(root, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return files, fmt.Errorf("terraform tree: %w", err)
			}
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				return files, fmt.Errorf("terraform tree: %w", err)
			}
			files++
		}
	}
	return files, nil
}

// terraformRoot returns the files of root i, by path relative to it.
func terraformRoot(i int, svc string) map[string]string {
	wholeOrg := i%7 == 3 // "repo:acme/*": every repository of the organisation
	noAud := i%3 == 2
	wildcardRead := i%11 == 5
	subject := fmt.Sprintf("acme/%s-%d", svc, i)
	if wholeOrg {
		subject = "acme/*"
	}
	secretResources := `["arn:aws:secretsmanager:${var.region}:${var.account_id}:secret:${each.key}/` + svc + `/*"]`
	if wildcardRead {
		secretResources = `["*"]`
	}
	return map[string]string{
		"main.tf": fmt.Sprintf(`terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

locals {
  name = "%[1]s-%[2]d"
  tags = merge(var.tags, {
    Service = "%[1]s"
    Owner   = "team-${var.team}"
  })
  environments = {
    prod    = { branch = "main", max_session = 3600 }
    staging = { branch = "develop", max_session = 7200 }
    dev     = { branch = "*", max_session = 7200 }
  }
}

resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}

module "github_role" {
  source   = "./modules/github-role"
  for_each = local.environments

  name              = "${local.name}-${each.key}-deploy"
  environment       = each.key
  provider_arn      = aws_iam_openid_connect_provider.github.arn
  subjects          = [format("%%s:ref:refs/heads/%%s", var.repository, each.value.branch)]
  require_audience  = %[3]t
  max_session       = each.value.max_session
  inline_policy     = data.aws_iam_policy_document.read_secrets[each.key].json
  tags              = merge(local.tags, { Environment = each.key })
}
`, svc, i, !noAud),
		"variables.tf": fmt.Sprintf(`variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "account_id" {
  type        = string
  description = "AWS account the roles live in"
}

variable "repository" {
  type    = string
  default = "%s"
}

variable "team" {
  type    = string
  default = "platform"
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "rotation_days" {
  type    = number
  default = 30
}
`, subject),
		"terraform.tfvars": fmt.Sprintf(`account_id = "1234567890%02d"
team       = "team-%d"
tags = {
  CostCenter = "cc-%d"
}
`, i%100, i%13, i%17),
		"policies.tf": fmt.Sprintf(`data "aws_iam_policy_document" "read_secrets" {
  for_each = local.environments

  statement {
    sid       = "ReadOwnSecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = %s
  }

  statement {
    sid       = "DecryptWithSecretsKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.secrets.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "secrets" {
  description         = "secrets of ${local.name}"
  enable_key_rotation = true
}
`, secretResources),
		"secrets.tf": fmt.Sprintf(`locals {
  secrets = {
    for pair in setproduct(keys(local.environments), %s) :
    "${pair[0]}/%s/${pair[1]}" => { environment = pair[0], kind = pair[1] }
  }
}

resource "aws_secretsmanager_secret" "this" {
  for_each = local.secrets

  name        = each.key
  description = "${each.value.kind} of %s in ${each.value.environment}"
  kms_key_id  = aws_kms_key.secrets.arn
  tags        = merge(local.tags, { Environment = each.value.environment })
}

resource "aws_secretsmanager_secret_rotation" "this" {
  for_each = { for k, v in local.secrets : k => v if v.kind != "api" }

  secret_id           = aws_secretsmanager_secret.this[each.key].id
  rotation_lambda_arn = "arn:aws:lambda:${var.region}:${var.account_id}:function:rotate-%s"

  rotation_rules {
    automatically_after_days = each.value.environment == "prod" ? var.rotation_days : var.rotation_days * 3
  }
}
`, hclList(types), svc, svc, svc),
		"modules/github-role/variables.tf": `variable "name" {
  type = string
}

variable "environment" {
  type = string
}

variable "provider_arn" {
  type = string
}

variable "subjects" {
  type = list(string)
}

variable "require_audience" {
  type    = bool
  default = true
}

variable "max_session" {
  type    = number
  default = 3600
}

variable "inline_policy" {
  type    = string
  default = null
}

variable "tags" {
  type    = map(string)
  default = {}
}
`,
		"modules/github-role/main.tf": `data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "GitHubActions"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.provider_arn]
    }

    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = formatlist("repo:%s", var.subjects)
    }

    dynamic "condition" {
      for_each = var.require_audience ? [1] : []
      content {
        test     = "StringEquals"
        variable = "token.actions.githubusercontent.com:aud"
        values   = ["sts.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session
  tags                 = var.tags
}

resource "aws_iam_role_policy" "inline" {
  count = var.inline_policy == null ? 0 : 1

  name   = "${var.name}-secrets"
  role   = aws_iam_role.this.id
  policy = var.inline_policy
}

resource "aws_iam_role_policy_attachment" "read_only" {
  count      = var.environment == "prod" ? 0 : 1
  role       = aws_iam_role.this.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
`,
		"modules/github-role/outputs.tf": `output "arn" {
  value = aws_iam_role.this.arn
}

output "trust_policy" {
  value = data.aws_iam_policy_document.trust.json
}
`,
	}
}

func hclList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
