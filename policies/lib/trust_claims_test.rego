package secretgate.lib.trust_claims_test

import rego.v1

import data.secretgate.lib.trust

test_nearest_claim_one_edit if {
	trust.nearest_claim("enviroment") == "environment" # a deletion
	trust.nearest_claim("environmentt") == "environment" # an insertion
	trust.nearest_claim("envirunment") == "environment" # a substitution
	trust.nearest_claim("job_worklow_ref") == "job_workflow_ref"
}

test_nearest_claim_two_edits if {
	trust.nearest_claim("enviromnent") == "environment" # a swap is two edits
	trust.nearest_claim("envrnment") == "environment"
	trust.nearest_claim("repositroy_id") == "repository_id"
}

# One edit wins over two: "ref_typ" is one from ref_type.
test_nearest_claim_prefers_one_edit if trust.nearest_claim("ref_typ") == "ref_type"

test_nearest_claim_none_within_two if {
	not trust.nearest_claim("environs")
	not trust.nearest_claim("deployment")
	not trust.nearest_claim("shaa") == "jti"
}

test_nearest_claim_short_names_get_no_guess if not trust.nearest_claim("sbu")
