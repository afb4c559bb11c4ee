

# Calling account ID
data "aws_caller_identity" "current" {}