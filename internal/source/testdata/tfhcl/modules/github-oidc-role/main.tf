data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  provider_arn = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${var.provider_url}"
}

data "aws_iam_policy_document" "this" {
  statement {
    sid     = "GithubOidcAuth"
    actions = ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]

    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.provider_url}:aud"
      values   = [var.audience]
    }

    dynamic "condition" {
      for_each = length(var.subjects) > 0 ? [1] : []
      content {
        test     = "StringLike"
        variable = "${var.provider_url}:sub"
        values   = [for s in var.subjects : "repo:${trimprefix(s, "repo:")}"]
      }
    }
  }
}

resource "aws_iam_role" "this" {
  count = var.create ? 1 : 0

  name               = var.name
  path               = var.path
  assume_role_policy = data.aws_iam_policy_document.this.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = { for k, v in var.policies : k => v if var.create }

  role       = aws_iam_role.this[0].name
  policy_arn = each.value
}

output "arn" {
  value = try(aws_iam_role.this[0].arn, null)
}

output "name" {
  value = try(aws_iam_role.this[0].name, null)
}
