variable "region" {
  default     = "eu-west-1"
  description = "AWS Region name"
  type        = string
}
