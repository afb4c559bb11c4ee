package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/matrix"
)

// orgFlags are the check flags of an organisation run
// (docs/organizations.md).
type orgFlags struct {
	accounts     string // a matrix shard's accounts, comma-separated
	organization bool   // every selected account of the organisation
	shard        int    // the matrix job's number, recorded in the report
}

func (o orgFlags) set() bool { return o.accounts != "" || o.organization }

// checkOrgFlags rejects organisation flags that cannot work.
func checkOrgFlags(f checkFlags, cfg *config.Config) error {
	if f.org.shard != 0 && (f.org.accounts == "" || f.org.shard < 1 || f.org.shard > matrix.MaxJobs) {
		return fmt.Errorf("--shard %d: want a matrix job's number, 1 to %d, with --accounts", f.org.shard, matrix.MaxJobs)
	}
	if !f.org.set() {
		return nil
	}
	switch {
	case f.org.accounts != "" && f.org.organization:
		return errors.New("--accounts and --organization are mutually exclusive: --organization lists the accounts itself")
	case f.offline:
		return errors.New("--accounts and --organization check AWS accounts and cannot be combined with --offline")
	case cfg.AWS.Organization == nil:
		return errors.New("--accounts and --organization need aws.organization.role_name in the configuration: the role to assume in each account")
	case f.auditLog != "":
		return errors.New("--audit-log is for one account; an organisation run reads credentials in many")
	}
	if f.org.accounts != "" {
		if _, err := shardAccounts(f.org.accounts); err != nil {
			return err
		}
	}
	return nil
}

// shardAccounts reads --accounts.
func shardAccounts(s string) ([]string, error) {
	ids := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
	if len(ids) == 0 {
		return nil, errors.New("--accounts: no account ids")
	}
	for _, id := range ids {
		if !matrix.ValidAccount(id) {
			return nil, fmt.Errorf("--accounts: %q is not a 12-digit AWS account id", printable(id))
		}
	}
	return ids, nil
}
