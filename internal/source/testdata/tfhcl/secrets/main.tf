locals {
  env = "prod"
}

resource "aws_secretsmanager_secret" "db" {
  name       = "${local.env}/payments/db"
  kms_key_id = "alias/payments"
  tags = {
    environment = local.env
  }
}

resource "aws_secretsmanager_secret_rotation" "db" {
  secret_id           = aws_secretsmanager_secret.db.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate"

  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_secretsmanager_secret" "api" {
  name_prefix = "prod/payments/api-"
}
