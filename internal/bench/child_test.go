package bench

import (
	"context"
	"os"
	"os/exec"
	"testing"
)

func TestMeasure(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
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
