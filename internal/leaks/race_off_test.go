//go:build !race

package leaks

// raceDetector: the test binary runs under the race detector, whose
// instrumentation allocates besides the code measured.
const raceDetector = false
