resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

module "github_oidc_role" {
  source = "../../modules/github-oidc-role"

  name     = "gha-deploy"
  subjects = ["acme/payments:ref:refs/heads/main", "acme/*"]
  policies = {
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
  }
}
