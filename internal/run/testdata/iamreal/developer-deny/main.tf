# The developer role of wellcometrust/terraform-modules
# (iam/prebuilt/assumable_roles/developer/main.tf): Allow * on *, with two
# more inline policies that deny destructive S3/DynamoDB/RDS actions and
# IAM user and group management. The role comes from a module there; it is
# spelled out here so that the repository is read on its own.
resource "aws_iam_role" "developer" {
  name = "developer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
    }]
  })
}

resource "aws_iam_role_policy" "developer_go_hog_wild" {
  role   = aws_iam_role.developer.name
  policy = data.aws_iam_policy_document.go_hog_wild.json
}

resource "aws_iam_role_policy" "developer_restrict_destructive_actions" {
  role   = aws_iam_role.developer.name
  policy = data.aws_iam_policy_document.restrict_destructive_actions.json
}

resource "aws_iam_role_policy" "developer_iam_user_group_deny" {
  role   = aws_iam_role.developer.name
  policy = data.aws_iam_policy_document.iam_user_group_deny.json
}

data "aws_iam_policy_document" "go_hog_wild" {
  statement {
    effect = "Allow"

    actions = [
      "*",
    ]

    resources = [
      "*",
    ]
  }
}

data "aws_iam_policy_document" "restrict_destructive_actions" {
  statement {
    effect = "Deny"

    actions = [
      "s3:DeleteBucket*",
      "s3:PutBucket*",
      "s3:PutEncryptionConfiguration",
      "s3:PutInventoryConfiguration",
      "s3:PutLifecycleConfiguration",
      "s3:PutMetricsConfiguration",
      "s3:PutReplicationConfiguration",
      "dynamodb:DeleteTable",
      "rds:DeleteDB*",
    ]

    resources = [
      "*",
    ]
  }
}

data "aws_iam_policy_document" "iam_user_group_deny" {
  statement {
    effect = "Allow"

    actions = [
      "iam:*",
    ]

    resources = [
      "*",
    ]
  }

  statement {
    effect = "Deny"

    actions = [
      "iam:*User*",
      "iam:*Group*",
    ]

    resources = [
      "*",
    ]
  }
}
