variable "region" {
  default = "eu-west-1"
  type    = string
}