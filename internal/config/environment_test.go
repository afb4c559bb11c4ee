package config

import (
	"regexp"
	"testing"
)

func TestEnvironmentOfDefaults(t *testing.T) {
	c := Default()
	tests := []struct {
		name, iamPath string
		tags          map[string]string
		want          string
	}{
		{name: "prod/bybit/api", want: "prod"},
		{name: "staging/db/password", want: "staging"},
		{name: "PROD/bybit/api", want: "prod"},
		{name: "github-actions-payments-prod", want: "prod"},
		{name: "payments_dev_reader", want: "dev"},
		{name: "deploy.staging", want: "staging"},
		{name: "product-api", want: ""},
		{name: "preprod-api", want: ""},
		{name: "devops-bot", want: ""},
		{name: "dev-reads-prod", want: "prod"}, // the last token wins: <purpose>-<env>
		{name: "payments-reader", iamPath: "/staging/", want: "staging"},
		{name: "payments-reader", iamPath: "/", want: ""},
		{name: "payments-reader", iamPath: "/team/prod/", want: ""}, // only segment 0 by default
		{name: "payments-reader", tags: map[string]string{"Environment": "Dev"}, want: "dev"},
		{name: "prod/bybit/api", tags: map[string]string{"env": "staging"}, want: "staging"}, // a tag beats the name
		{name: "prod/bybit/api", tags: map[string]string{"environment": "qa"}, want: "prod"}, // unknown tag value: next source
		{name: "x", tags: map[string]string{"environment": " prod "}, want: "prod"},
		{name: "x", tags: map[string]string{"ENVIRONMENT": "dev", "environment": "prod"}, want: "prod"},   // exact key first
		{name: "x", tags: map[string]string{"ENVIRONMENT": "dev", "Environment": "staging"}, want: "dev"}, // then sorted keys
		{name: "", want: ""},
	}
	for _, tt := range tests {
		if got := c.EnvironmentOf(tt.name, tt.iamPath, tt.tags); got != tt.want {
			t.Errorf("EnvironmentOf(%q, %q, %v) = %q, want %q", tt.name, tt.iamPath, tt.tags, got, tt.want)
		}
	}
}

func TestEnvironmentOfConfigured(t *testing.T) {
	c := mustLoad(t, `environments:
  production: {aliases: [prod, prd]}
  pre-prod: {}
  qa: {}
environment_from:
  - tag: Stage
  - name_segment: -1
    separator: "-"
  - name_contains: true
  - path_segment: 1
`)
	tests := []struct {
		name, iamPath string
		tags          map[string]string
		want          string
	}{
		{name: "x", tags: map[string]string{"stage": "PRD"}, want: "production"},
		{name: "x", tags: map[string]string{"environment": "qa"}, want: ""}, // not a configured source
		{name: "payments-api-qa", want: "qa"},
		{name: "payments-prod", want: "production"},
		{name: "app-pre-prod", want: "production"},  // name_segment -1 ("prod") comes before name_contains
		{name: "app-pre-prod.v2", want: "pre-prod"}, // name_contains: the longer name ending at the same place
		{name: "prod/bybit/api", want: "production"},
		{name: "qa/bybit/api", want: "qa"},
		{name: "reader", iamPath: "/team/qa/", want: "qa"},
		{name: "reader", iamPath: "/qa/", want: ""},
		{name: "dev/bybit/api", want: ""}, // dev is not configured
	}
	for _, tt := range tests {
		if got := c.EnvironmentOf(tt.name, tt.iamPath, tt.tags); got != tt.want {
			t.Errorf("EnvironmentOf(%q, %q, %v) = %q, want %q", tt.name, tt.iamPath, tt.tags, got, tt.want)
		}
	}
}

func TestEnvironmentOfNoSources(t *testing.T) {
	c := mustLoad(t, "environment_from: []\n")
	if got := c.EnvironmentOf("prod/bybit/api", "/prod/", map[string]string{"environment": "prod"}); got != "" {
		t.Errorf("got %q with no sources", got)
	}
}

func TestCompilePattern(t *testing.T) {
	envs := []Environment{{Name: "prod"}, {Name: "dev"}}
	tests := []struct {
		pattern string
		match   []string
		reject  []string
		err     bool
	}{
		{pattern: "{env}/{service}/{type}",
			match:  []string{"prod/bybit/api", "dev/db/password", "prod/bybit.v2/api-key", "prod/0x/9"},
			reject: []string{"staging/db/password", "prod/bybit", "prod/bybit/api/extra", "Prod/bybit/api", "prod/Bybit/api", "prod//api", "prod/-x/api", "xprod/a/b"}},
		{pattern: "{environment}.{service}", match: []string{"dev.api"}, reject: []string{"devxapi"}},
		{pattern: "app-{env}-{name}+", match: []string{"app-prod-x+"}, reject: []string{"app-prod-xx"}},
		{pattern: "fixed", match: []string{"fixed"}, reject: []string{"fixedx"}},
		{pattern: "{env", err: true},
		{pattern: "env}", err: true},
		{pattern: "{}", err: true},
		{pattern: "{Env}", err: true},
		{pattern: " ", err: true},
	}
	for _, tt := range tests {
		n, err := compilePattern(tt.pattern, envs)
		if tt.err {
			if err == nil {
				t.Errorf("%q: no error", tt.pattern)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.pattern, err)
			continue
		}
		re := regexp.MustCompile(n.Regex)
		for _, s := range tt.match {
			if !re.MatchString(s) {
				t.Errorf("%q (%s) does not match %q", tt.pattern, n.Regex, s)
			}
		}
		for _, s := range tt.reject {
			if re.MatchString(s) {
				t.Errorf("%q (%s) matches %q", tt.pattern, n.Regex, s)
			}
		}
	}
}

func TestAnchor(t *testing.T) {
	tests := map[string]string{
		"^a$":       "^a$",
		"^(a|b)$":   "^(a|b)$",
		"a|b":       "^(?:a|b)$",
		"^a|b$":     "^(?:^a|b$)$",
		"^a":        "^(?:^a)$",
		`^a\$`:      `^(?:^a\$)$`,
		"[a-z]+/.+": "^(?:[a-z]+/.+)$",
	}
	for in, want := range tests {
		if got := anchor(in); got != want {
			t.Errorf("anchor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSecretName(t *testing.T) {
	tests := map[string]string{
		"prod/bybit/api": "prod/bybit/api",
		"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/bybit/api-AbCdEf": "prod/bybit/api",
		"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/bybit/api":        "prod/bybit/api",
		"arn:aws:iam::123456789012:role/x":                                           "arn:aws:iam::123456789012:role/x",
	}
	for in, want := range tests {
		if got := secretName(in); got != want {
			t.Errorf("secretName(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkEnvironmentOf(b *testing.B) {
	c := Default()
	tags := map[string]string{"owner": "payments", "Environment": "qa"}
	for b.Loop() {
		c.EnvironmentOf("github-actions-payments-service-prod", "/service-roles/", tags)
	}
}
