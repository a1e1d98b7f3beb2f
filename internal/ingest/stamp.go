package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"time"
)

// A Stamp is what the file system says of a file that changes whenever
// its content is written: its device and inode, its size, and its
// modification and change times. A run keeps the stamp of each file it
// hashes; a later run that finds the same stamp at the same path knows
// the content is the one it hashed, without reading it again, as git and
// make tell an unchanged file. The kernel sets the change time on every
// write, rename or attribute change, and no program can set it back.
//
// The empty Stamp is never the same as another: a file whose stamp could
// not be trusted is hashed again.
type Stamp string

// racyWindow is how long before its hashing began a file must have last
// changed for its stamp to be kept. The file system's clock has a grain (a
// few milliseconds on Linux, two seconds on FAT): a file written again in
// the grain it was hashed in could keep its stamp. Its stamp is not kept,
// and the next run hashes it again, as git does with a "racily clean" file.
var racyWindow = 2 * time.Second

// CurrentStamp returns the stamp of the file at path, or the empty Stamp
// where the system gives none.
func CurrentStamp(path string) (Stamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	s, _ := stampOf(fi)
	return s, nil
}

// Digest returns the SHA-256 of a file, its size, and its stamp: the empty
// Stamp when the file changed while it was read or too shortly before
// (racyWindow), or when the system gives none.
func Digest(path string) (sum string, size int64, stamp Stamp, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, "", err
	}
	defer f.Close()
	start := time.Now()
	before, err := f.Stat()
	if err != nil {
		return "", 0, "", err
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, "", fmt.Errorf("read %s: %w", path, err)
	}
	after, err := f.Stat()
	if err != nil {
		return "", 0, "", err
	}
	stamp, changed := stampOf(before)
	if again, _ := stampOf(after); again != stamp || !changed.Before(start.Add(-racyWindow)) {
		stamp = ""
	}
	return hex.EncodeToString(h.Sum(nil)), n, stamp, nil
}
