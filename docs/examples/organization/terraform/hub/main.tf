# The hub role of secretgate's organisation workflow (the Terraform twin
# of ../../cloudformation/hub.yml), in the management account or the
# delegated administrator for AWS Organizations: assumed by the nightly
# job of ONE repository on its default branch (or in its secretgate
# environment) with GitHub's OIDC token; it lists the organisation's
# accounts and assumes the spoke role in each — nothing else.

variable "github_repository" {
  description = "owner/name of the repository that runs the nightly organisation workflow"
  type        = string
  default     = "acme/platform"
}

variable "spoke_role_name" {
  description = "the spoke role's name in every account (aws.organization.role_name)"
  type        = string
  default     = "secretgate-read"
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

data "aws_iam_policy_document" "hub_trust" {
  statement {
    sid     = "NightlyJobOfOneRepository"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values = [
        "repo:${var.github_repository}:ref:refs/heads/main",
        "repo:${var.github_repository}:environment:secretgate",
      ]
    }
  }
}

data "aws_iam_policy_document" "hub" {
  statement {
    sid    = "ListTheOrganisation"
    effect = "Allow"
    actions = [
      "organizations:ListAccounts",
      "organizations:ListAccountsForParent",
      "organizations:ListOrganizationalUnitsForParent",
    ]
    resources = ["*"]
  }
  statement {
    sid       = "AssumeTheSpokes"
    effect    = "Allow"
    actions   = ["sts:AssumeRole"]
    resources = ["arn:${data.aws_partition.current.partition}:iam::*:role/${var.spoke_role_name}"]
  }
}

resource "aws_iam_role" "secretgate_hub" {
  name                 = "secretgate-hub"
  description          = "secretgate nightly organisation job (hub)"
  max_session_duration = 3600
  assume_role_policy   = data.aws_iam_policy_document.hub_trust.json
}

resource "aws_iam_role_policy" "secretgate_hub" {
  name   = "secretgate-hub"
  role   = aws_iam_role.secretgate_hub.id
  policy = data.aws_iam_policy_document.hub.json
}

output "hub_role_arn" {
  description = "the hub-role-arn input of the organisation workflow"
  value       = aws_iam_role.secretgate_hub.arn
}
