package ingest

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// stampOf returns the stamp of a file and its change time.
func stampOf(fi os.FileInfo) (Stamp, time.Time) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", time.Time{}
	}
	return Stamp(fmt.Sprintf("%d:%d:%d:%d.%09d:%d.%09d", st.Dev, st.Ino, st.Size,
			st.Mtim.Sec, st.Mtim.Nsec, st.Ctim.Sec, st.Ctim.Nsec)),
		time.Unix(st.Ctim.Sec, st.Ctim.Nsec)
}
