# The spoke role of secretgate's organisation workflow (the Terraform twin
# of ../../cloudformation/spoke-stackset.yml), applied in every account —
# one state per account (Account Factory for Terraform, or a provider
# whose assume_role names the account). It trusts the hub role only, with
# the external id, and reads metadata: the secrets' names, tags and
# rotation (never a value), the IAM roles and policies that decide who can
# read them, and the account's enabled regions.

variable "hub_account_id" {
  description = "the account of the hub role"
  type        = string
  default     = "111111111111"
}

variable "hub_role_name" {
  type    = string
  default = "secretgate-hub"
}

variable "external_id" {
  description = "aws.organization.external_id"
  type        = string
  default     = "acme-secretgate"
}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "spoke_trust" {
  statement {
    sid     = "TheHubOnly"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${var.hub_account_id}:role/${var.hub_role_name}"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }
  }
}

data "aws_iam_policy_document" "spoke" {
  statement {
    sid       = "InventorySecretsMetadata"
    effect    = "Allow"
    actions   = ["secretsmanager:ListSecrets"]
    resources = ["*"]
  }
  statement {
    sid    = "InventoryIAM"
    effect = "Allow"
    actions = [
      "iam:GetAccountAuthorizationDetails",
      "iam:ListRoles",
      "iam:GetRole",
      "iam:ListRolePolicies",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:GetPolicy",
      "iam:GetPolicyVersion",
      "iam:ListOpenIDConnectProviders",
      "iam:GetOpenIDConnectProvider",
    ]
    resources = ["*"]
  }
  statement {
    sid       = "EnabledRegions"
    effect    = "Allow"
    actions   = ["account:ListRegions"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "secretgate_read" {
  name                 = "secretgate-read"
  description          = "secretgate nightly organisation job (spoke, read-only metadata)"
  max_session_duration = 3600
  assume_role_policy   = data.aws_iam_policy_document.spoke_trust.json
}

resource "aws_iam_role_policy" "secretgate_read" {
  name   = "secretgate-read"
  role   = aws_iam_role.secretgate_read.id
  policy = data.aws_iam_policy_document.spoke.json
}
