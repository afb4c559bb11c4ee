github_org = "acme"
