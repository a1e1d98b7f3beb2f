//go:build !linux

package mem

import "errors"

func populate(start, n uintptr) error { return errors.ErrUnsupported }
