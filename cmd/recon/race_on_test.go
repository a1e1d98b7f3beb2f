//go:build race

package main

// raceBuild says the tests were built with -race; reconBin builds recon
// the same way, so that its packages come from the same build cache.
const raceBuild = true
