variable "create" {
  type    = bool
  default = true
}

variable "name" {
  type = string
}

variable "path" {
  type    = string
  default = "/"
}

variable "audience" {
  type    = string
  default = "sts.amazonaws.com"
}

variable "subjects" {
  description = "GitHub repositories and refs allowed to assume the role, without the repo: prefix"
  type        = list(string)
  default     = []
}

variable "provider_url" {
  type    = string
  default = "token.actions.githubusercontent.com"
}

variable "policies" {
  type    = map(string)
  default = {}
}

variable "tags" {
  type    = map(string)
  default = {}
}
