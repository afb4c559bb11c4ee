// Package glcodec is a copy of gitleaks' (v8.30.1, MIT licence)
// detect/codec package, the decoder of base64, hex, percent and unicode
// escapes its detector scans again, with one change: the encoded text is
// found without running its expression over the whole text (see
// encodingSubmatches), which took about a third of a scan's time on source
// code. Logging is left out. Keep it in step with gitleaks when upgrading;
// TestDecodeIsGitleaks compares both on real and generated text.
package glcodec
