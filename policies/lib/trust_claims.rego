# The claims of GitHub's OIDC tokens, and the nearest one to a misspelling.
package secretgate.lib.trust

import rego.v1

# The claims of a GitHub Actions OIDC token (GitHub's documentation,
# "About security hardening with OpenID Connect": the example token).
github_claims := {
	"jti", "sub", "aud", "iss", "nbf", "exp", "iat",
	"environment", "ref", "ref_type", "ref_protected", "sha", "head_ref", "base_ref",
	"repository", "repository_id", "repository_owner", "repository_owner_id", "repository_visibility",
	"actor", "actor_id", "workflow", "workflow_ref", "workflow_sha",
	"job_workflow_ref", "job_workflow_sha", "event_name",
	"run_id", "run_number", "run_attempt", "runner_environment",
	"enterprise", "enterprise_id", "check_run_id",
}

# nearest_claim(s): the GitHub claim within edit distance 1 of s, else
# within 2 (Levenshtein: insertions, deletions, substitutions), the first
# in alphabetical order among equals; undefined when none is, or when s is
# shorter than 4 characters (too short for a guess to mean anything).
#
# Rego has no loops, so the distance is not computed by dynamic
# programming: d(a, b) <= 2 exactly when some string m is within one edit
# of both. edits(s) lists the strings one edit (or none) away from s as
# [pattern, position]: a substitution or insertion leaves a hole (any
# character) at position, -1 when there is none. Two such patterns share a
# string exactly when they have the same length and agree everywhere except
# at their holes (same_string).
nearest_claim(s) := one[0] if {
	count(s) >= 4
	one := sort({k | some [q, j, k] in object.get(claim_edits, count(s), []); same_string(s, -1, q, j)})
	count(one) > 0
} else := near[0] if {
	count(s) >= 4
	near := sort({k | some [p, i] in edits(s); some [q, j, k] in object.get(claim_edits, count(p), []); same_string(p, i, q, j)})
	count(near) > 0
}

# claim_edits[length]: [pattern, hole, claim] for every pattern of that
# length one edit (or none) from a GitHub claim; computed once.
claim_edits := {n: [e | some e in all_claim_edits; count(e[0]) == n] | some n in {count(e[0]) | some e in all_claim_edits}}

all_claim_edits := [[p, i, k] | some k in github_claims; some [p, i] in edits(k)]

hole_char := "\u0001"

# edits(s): s itself, each deletion, each substitution and each insertion
# (a hole), as [pattern, hole position or -1].
edits(s) := ({[s, -1]} | {[concat("", [substring(s, 0, i), substring(s, i + 1, -1)]), -1] | some i in numbers.range(0, count(s) - 1)}) | ({[concat("", [substring(s, 0, i), hole_char, substring(s, i + 1, -1)]), i] | some i in numbers.range(0, count(s) - 1)} | {[concat("", [substring(s, 0, i), hole_char, substring(s, i, -1)]), i] | some i in numbers.range(0, count(s))})

# same_string(p, i, q, j): patterns p (hole at i) and q (hole at j) of the
# same length agree everywhere but at i and j.
same_string(p, i, q, j) if {
	count(p) == count(q)
	hole(p, j) == hole(q, i)
}

hole(p, i) := p if i < 0

else := concat("", [substring(p, 0, i), hole_char, substring(p, i + 1, -1)])
