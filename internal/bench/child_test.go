package bench

import (
	"context"
	"os"
	"testing"
)

func TestMeasure(t *testing.T) {
	// /bin/sh is part of every machine the project runs on (runInTmpfs
	// needs it too): missing, the test fails rather than skips.
	const sh = "/bin/sh"
	tests := []struct {
		name    string
		script  string
		wantErr bool
	}{
		{"success", "exit 0", false},
		{"failure", "exit 3", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Measure(context.Background(), Command{Path: sh, Args: []string{"-c", tt.script}, Env: os.Environ()})
			if (err != nil) != tt.wantErr {
				t.Fatalf("Measure err=%v, want error %v", err, tt.wantErr)
			}
			if u.MaxRSS <= 0 {
				t.Errorf("MaxRSS=%d, want the child's peak RSS", u.MaxRSS)
			}
		})
	}
}
