// Package journey holds the browser journeys of BinaKerja: each role's work,
// driven in headless Chromium (Debian's chromium package) against the real
// server over the demo world. The harness is in harness_test.go; each
// capability adds its journeys in a file of its own.
package journey
