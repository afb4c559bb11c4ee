variable "github_org" {
  type = string
}

variable "roles" {
  type = map(object({
    repo   = string
    env    = string
    branch = optional(string, "main")
  }))
  default = {
    prod = { repo = "payments", env = "prod" }
    dev  = { repo = "web", env = "dev", branch = "*" }
  }
}
