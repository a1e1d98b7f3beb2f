//go:build !linux

package ingest

import "os"

// DropCached does nothing where the system offers no way to drop a file's
// pages.
func DropCached(*os.File) error { return nil }
