output "role_name" {
  value       = module.oidc_role.role_name
  description = "The name of the IAM role created"
}
