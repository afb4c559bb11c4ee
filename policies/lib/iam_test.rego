package secretgate.lib.iam_test

import rego.v1

import data.secretgate.lib.iam

test_like_star if iam.like("repo:o/*", "repo:o/r:ref:refs/heads/main")
test_like_question if iam.like("a?c", "abc")
test_like_question_one_char if not iam.like("a?c", "abbc")
test_like_literal_bracket if iam.like("a[b]", "a[b]")
test_like_bracket_not_class if not iam.like("a[b]", "ab")
test_like_no_wildcard_exact if not iam.like("repo:o/r", "repo:o/r:x")
test_like_dot_literal if not iam.like("a.c*", "abc")
test_like_newline if iam.like("a*", "a\nb")
test_action_case if iam.action_matches("SecretsManager:Get*", "secretsmanager:GetSecretValue")
test_action_star if iam.action_matches("*", "iam:PassRole")
test_action_other if not iam.action_matches("s3:*", "iam:PassRole")
test_not_action_allows if iam.allows_action({"effect": "Allow", "action": null, "not_action": ["s3:*"]}, "iam:PassRole")
test_not_action_excluded if not iam.allows_action({"effect": "Allow", "action": null, "not_action": ["iam:*"]}, "iam:PassRole")
test_deny_never_allows if not iam.allows_action({"effect": "Deny", "action": ["*"], "not_action": null}, "iam:PassRole")
test_secret_name if iam.secret_name_of_arn("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/bybit/api-AbCdEf") == "prod/bybit/api-AbCdEf"
