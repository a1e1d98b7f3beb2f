//go:build !linux

package mem

import (
	"errors"
	"os"
)

func populate(start, n uintptr) error { return errors.ErrUnsupported }

func mapAnon(size int) ([]byte, error) { return nil, errors.ErrUnsupported }

func unmap(b []byte) error { return errors.ErrUnsupported }

// Resident says nothing where mincore is not had.
func Resident(b []byte) (int, error) { return 0, errors.ErrUnsupported }

// CachedPages says nothing where mincore is not had.
func CachedPages(path string) (int, error) { return 0, errors.ErrUnsupported }

// InMemoryFS says nothing where the file system's type is not had.
func InMemoryFS(dir string) (bool, error) { return false, errors.ErrUnsupported }

// DropCached does nothing where the system offers no way to drop a file's
// pages.
func DropCached(*os.File) error { return nil }
