package resolve

import "testing"

func TestIsPlaceholder(t *testing.T) {
	tests := []struct {
		value string
		want  bool
	}{
		// The list and obvious kin, in any case.
		{"changeme", true},
		{"CHANGEME", true},
		{"ChangeMe", true},
		{"change_me", true},
		{"change-me", true},
		{" changeme ", true},
		{`"changeme"`, true},
		{"mock_api_key", true},
		{"MOCK_SECRET", true},
		{"mock-token", true},
		{"fake_key", true},
		{"dummy-password", true},
		{"test", true},
		{"TEST", true},
		{"testing", true},
		{"xxx", true},
		{"XXXXXXXXXXXX", true},
		{"********", true},
		{"0000000000", true},
		{"<api_key>", true},
		{"<your secret here>", true},
		{"${BYBIT_API_KEY}", true},
		{"{{ api_key }}", true},
		{"%API_KEY%", true},
		{"your_api_key", true},
		{"your-secret", true},
		{"put_your_key_here", true},
		{"insert-key-here", true},
		{"todo", true},
		{"TBD", true},
		{"placeholder", true},
		{"n/a", true},
		{"null", true},
		{"password", true},
		{"AKIAIOSFODNN7EXAMPLE", true},
		{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", true},
		// Real values, including ones that contain placeholder words.
		{"", false},
		{"Tr0ub4dor&3", false},
		{"testimony", false},
		{"contest-winner-2026", false},
		{"mockingbird", false},
		{"mocked", false},
		{"xxy", false},
		{"xx", false},
		{"<not-closed", false},
		{"a<b>c", false},
		{"sk_live_51H8b2c3d4e5f6g7h8i9j0", false}, // gitleaks:allow — a made-up key shape, the placeholder check must not take it for a placeholder
		{"test_7f3a9c2e1b", false},
		{"AKIAZ7Q3LTX2M4N5P6R7", false}, // gitleaks:allow — a made-up key shape
		{"hunter2hunter2", false},
		{"examples-are-not-this", false},
		{"yourself1234", false},
		{"here_is_the_key", false},
		{"p@ssw0rd-9Xk2", false},
		{"secret-sauce-42", false},
		{"0000000001", false},
		{"${partial", false},
	}
	for _, tt := range tests {
		// The value itself is test data, not a secret: safe to name.
		if got := IsPlaceholder(tt.value); got != tt.want {
			t.Errorf("IsPlaceholder(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}
