package main

import (
	"strings"
	"testing"
)

// TestHelpEveryCommand asks the real binary for every subcommand's help
// the three ways a user does (-h, --help, help <command>), and for the
// help of help itself, which once recursed until the stack overflowed.
// Each exits 0 with the command's usage on stdout and nothing on stderr.
func TestHelpEveryCommand(t *testing.T) {
	t.Parallel()
	env := childEnv()
	type helpCase struct {
		name string
		args []string
		want string // the first line of stdout
	}
	cases := []helpCase{
		{"no command help", []string{"help"}, "recon reconciles"},
		{"-h", []string{"-h"}, "recon reconciles"},
		{"--help", []string{"--help"}, "recon reconciles"},
		{"help -h", []string{"help", "-h"}, "recon reconciles"},
		{"help --help", []string{"help", "--help"}, "recon reconciles"},
		{"help help", []string{"help", "help"}, "recon reconciles"},
		{"-h help", []string{"-h", "help"}, "recon reconciles"},
		{"config check -h", []string{"config", "check", "-h"}, "Usage: recon config check"},
	}
	for _, c := range commands() {
		if c.name == "help" {
			continue
		}
		want := "Usage: recon " + c.name
		cases = append(cases,
			helpCase{c.name + " -h", []string{c.name, "-h"}, want},
			helpCase{c.name + " --help", []string{c.name, "--help"}, want},
			helpCase{"help " + c.name, []string{"help", c.name}, want},
		)
	}
	reconBin(t)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := runProc(t, env, "", tt.args...)
			first, _, _ := strings.Cut(p.stdout, "\n")
			if p.code != 0 || !strings.HasPrefix(first, tt.want) || p.stderr != "" {
				t.Errorf("recon %s: exit %d, first line %q, stderr %.300q; want exit 0, %q…, no stderr",
					strings.Join(tt.args, " "), p.code, first, p.stderr, tt.want)
			}
		})
	}
}
