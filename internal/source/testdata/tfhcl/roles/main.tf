locals {
  subjects = { for k, r in var.roles : k => "repo:${var.github_org}/${r.repo}:ref:refs/heads/${r.branch}" }
}

resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "github" {
  for_each = var.roles

  name = "gha-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = local.subjects[each.key] }
      }
    }]
  })

  inline_policy {
    name   = "read-secrets"
    policy = data.aws_iam_policy_document.read.json
  }

  tags = { environment = each.value.env }
}

data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Logs"
    actions   = ["logs:*"]
    resources = ["*"]
  }
  statement {
    sid       = "Read"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "read" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [<<-EOT
    {"Version": "2012-10-17", "Statement": [{"Sid": "Logs", "Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}
  EOT
  ]

  statement {
    sid       = "Read"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["arn:aws:secretsmanager:*:*:secret:app/*"]
  }
}

resource "aws_iam_policy" "deploy" {
  name   = "deploy"
  policy = file("${path.module}/policies/deploy.json")
}

resource "aws_iam_role_policy_attachment" "deploy" {
  for_each = var.roles

  role       = aws_iam_role.github[each.key].name
  policy_arn = aws_iam_policy.deploy.arn
}

resource "aws_iam_role_policy" "extra" {
  name = "extra"
  role = aws_iam_role.github["prod"].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" }]
  })
}
