# Strict parsing of GitHub subjects: sub values that no token GitHub issues
# can carry, whatever the repository or workflow. Part of the trust library
# (trust.rego): same package. A condition value that is malformed admits no
# token (value_dropped), so the scope analysis, explain-trust and the
# attacker simulation agree that it never matches.
package secretgate.lib.trust

import rego.v1

import data.secretgate.lib.iam

# malformed_subject(v, ignore_case): why the sub value (or the literal
# prefix of a pattern) can never equal a subject GitHub issues; undefined
# when it can. Only the default subject format ("repo:owner/repo:...") is
# judged strictly; customised formats are left alone, except for spaces
# around the value and a literal value without any ":" (a customised
# template still writes claim:value pairs, so "invalid" is no subject).
# ignore_case: the operator ignores case (StringEqualsIgnoreCase), so the
# case of keywords does not matter.
malformed_subject(v, ignore_case) := "it is empty" if {
	v == ""
} else := "it starts with a space" if {
	regex.match(`^\s`, v)
} else := "it ends with a space" if {
	not iam.has_wildcard(v)
	regex.match(`\s$`, v)
} else := "it has no \":\": every subject GitHub issues, in any format, is claim:value pairs" if {
	not iam.has_wildcard(v)
	not contains(v, ":")
	not unresolved(v)
} else := "GitHub writes the claim name repo: in lower case" if {
	not ignore_case
	lit := literal_prefix(v)
	count(lit) >= 5
	lower(substring(lit, 0, 5)) == "repo:"
	substring(lit, 0, 5) != "repo:"
} else := reason if {
	lit := literal_prefix(ic(v, ignore_case))
	startswith(lit, "repo:")
	reason := repo_subject_problem(lit, lit == ic(v, ignore_case), ignore_case)
}

ic(v, true) := lower(v)

ic(v, false) := v

# repo_subject_problem(lit, whole, ignore_case): the problem of a subject in
# the default format, judged as far as its literal prefix lit goes (whole:
# lit is the whole value).
repo_subject_problem(lit, whole, ignore_case) := "the owner/repository part is empty" if {
	rest := substring(lit, 5, -1)
	path_end(rest, whole)
	path := path_of(rest)
	path == ""
} else := "the owner is empty" if {
	startswith(substring(lit, 5, -1), "/")
} else := "the owner/repository part has no \"/\"" if {
	rest := substring(lit, 5, -1)
	path_end(rest, whole)
	not contains(path_of(rest), "/")
} else := "the repository name is empty" if {
	rest := substring(lit, 5, -1)
	path_end(rest, whole)
	endswith(path_of(rest), "/")
} else := "the owner/repository part contains a space" if {
	regex.match(`\s`, path_of(substring(lit, 5, -1)))
} else := problem if {
	rest := substring(lit, 5, -1)
	i := indexof(rest, ":")
	i >= 0
	problem := context_problem(substring(rest, i + 1, -1), whole, ignore_case)
}

# path_end(rest, whole): the owner/repository part of rest is complete: a
# ":" follows it, or the value ends there.
path_end(rest, _) if contains(rest, ":")

path_end(_, true)

path_of(rest) := substring(rest, 0, indexof(rest, ":")) if contains(rest, ":")

else := rest

# context_problem(ctx, whole, ignore_case): what is wrong with the part after
# "repo:owner/repo:", as far as it is literal.
context_problem(ctx, whole, false) := "GitHub writes ref:, refs/heads/, refs/tags/, environment: and pull_request in lower case" if {
	some kw in ["ref:refs/heads/", "ref:refs/tags/", "environment:", "pull_request"]
	count(ctx) >= count(kw)
	lower(substring(ctx, 0, count(kw))) == kw
	substring(ctx, 0, count(kw)) != kw
} else := "the environment name is empty" if {
	ctx == "environment:"
	whole
} else := "the branch or tag name is empty" if {
	ctx in {"ref:refs/heads/", "ref:refs/tags/"}
	whole
} else := bare_context_problem if {
	bare_context(ctx, whole)
}

# The fixed cases above, for an operator that ignores case.
context_problem(ctx, whole, true) := "the environment name is empty" if {
	ctx == "environment:"
	whole
} else := "the branch or tag name is empty" if {
	ctx in {"ref:refs/heads/", "ref:refs/tags/"}
	whole
} else := bare_context_problem if {
	bare_context(ctx, whole)
}

# bare_context(ctx, whole): what follows "repo:owner/repo:" is a bare word
# ("repo:acme/app:main"): GitHub writes pull_request or claim:value pairs
# there (ref:refs/heads/main, environment:prod, or a customised template's
# claims), never a lone word.
bare_context(ctx, true) if {
	ctx != ""
	not contains(ctx, ":")
	lower(ctx) != "pull_request"
	not unresolved(ctx)
}

# unresolved(v): the value holds a reference secretgate could not resolve
# (a CloudFormation parameter without a value, "${AllowedSubjects}", or a
# policy variable): what it stands for is unknown, so it is judged the
# loosest way elsewhere, never as a malformed subject.
unresolved(v) if contains(v, "${")

bare_context_problem := "after the repository comes a bare word: GitHub writes pull_request or claim:value pairs there (a branch is ref:refs/heads/<name>)"
