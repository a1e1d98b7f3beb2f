package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/schedule"
)

// Exit statuses (SPEC §6).
const (
	exitOK     = 0 // the run completed, exceptions or not
	exitError  = 1 // the run could not complete
	exitUsage  = 2 // the command line is wrong
	exitFailOn = 3 // the run completed with exceptions at or above --fail-on
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

// Version returns recon's version: the build's, or the module's.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// versionLine says which recon this is: its version, the commit it was
// built from (the build's VCS stamp, "+modified" when the work tree had
// changes) and the Go release, so a report or a bug names its build.
func versionLine() string {
	bi, _ := debug.ReadBuildInfo()
	return formatVersion(Version(), bi)
}

func formatVersion(v string, bi *debug.BuildInfo) string {
	line := "recon " + v
	if bi == nil {
		return line
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		rev = "unknown (built without version control information)"
	} else if modified == "true" {
		rev += "+modified"
	}
	return line + " commit " + rev + " " + bi.GoVersion
}

// env is what a subcommand runs with.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// now is the clock; tests fix it.
	now func() time.Time
	// probe makes doctor's signed status call; nil uses HTTP.
	probe statusProbe
	// clock drives recon schedule; nil is the wall clock.
	clock schedule.Clock
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"run", "reconcile one business day", runCmd},
		{"runs", "list past runs", runsCmd},
		{"exceptions", "list exceptions across dates, with their state", exceptionsCmd},
		{"resolve", "record what was done about an exception", resolveCmd},
		{"notes", "import the state, owner and note columns of an edited workbook", notesCmd},
		{"schedule", "run the nightly schedule as a daemon", scheduleCmd},
		{"config", "check a configuration file", configCmd},
		{"doctor", "check this installation against the go-live checklist", doctorCmd},
		{"pull", "pull gateway statuses of a day from KwikPaisa's API", pullCmd},
		{"sandbox", "serve a local stand-in of KwikPaisa's status API", sandboxCmd},
		{"gen", "write a synthetic business day (fixtures, benchmarks)", genCmd},
		{"version", "print the version", versionCmd},
		{"help", "show help for a command", nil},
	}
}

// usageError is a command-line mistake: exit 2, with a hint.
type usageError struct {
	message string
	hint    string
}

func (e *usageError) Error() string { return e.message }

// Run runs recon with args (without the program name) and returns the exit
// status. Tests call it directly.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(ctx, &env{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now}, args)
}

func run(ctx context.Context, e *env, args []string) int {
	stdout, stderr := e.stdout, e.stderr
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "--version", "-version", "-v":
		fmt.Fprintln(stdout, versionLine())
		return exitOK
	case "help", "-h", "-help", "--help":
		// "help help", "help -h": the usage again. Anything else is asked
		// for its own help once: sending a help word back here would recurse
		// without end.
		if len(rest) > 0 && !isHelpWord(rest[0]) {
			return run(ctx, e, []string{rest[0], "-h"})
		}
		printUsage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			return report(stderr, c.run(ctx, e, rest))
		}
	}
	return report(stderr, &usageError{message: fmt.Sprintf("unknown command %q", name), hint: "run 'recon help' for the commands"})
}

func isHelpWord(s string) bool {
	switch s {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

// report turns a command's error into an exit status and one message.
func report(stderr io.Writer, err error) int {
	var ue *usageError
	var ex *exitCodeError
	var ce *config.CheckError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "recon: %s\n", ue.message)
		if ue.hint != "" {
			fmt.Fprintf(stderr, "hint: %s\n", ue.hint)
		}
	case errors.As(err, &ex):
		if ex.message != "" && !ex.told {
			fmt.Fprintf(stderr, "recon: %s\n", ex.message)
		}
	case errors.As(err, &ce) && len(ce.Problems) == 1:
		fmt.Fprintf(stderr, "recon: configuration %s\n", oneLine(ce.Problems[0].String()))
	case errors.As(err, &ce):
		// A configuration's problems, one a line: on one line they read
		// as a wall of text.
		fmt.Fprintf(stderr, "recon: configuration %s has %d problem(s); fix each, then check with 'recon config check --config %s':\n", ce.Path, len(ce.Problems), ce.Path)
		for _, p := range ce.Problems {
			fmt.Fprintf(stderr, "  %s\n", oneLine(p.String()))
		}
	default:
		fmt.Fprintf(stderr, "recon: %s\n", oneLine(err.Error()))
	}
	return exitStatus(err)
}

// exitStatus is the exit status a command's error ends it with.
func exitStatus(err error) int {
	var ue *usageError
	var ex *exitCodeError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &ex):
		return ex.code
	}
	return exitError
}

// exitCodeError ends a command with a given status.
type exitCodeError struct {
	code    int
	message string
	// told says the message was written to stderr already, when the
	// command knew it: it is not written again at the end.
	told bool
}

func (e *exitCodeError) Error() string { return e.message }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "recon reconciles a KwikPaisa merchant's business day.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: recon <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'recon <command> -h' for a command's flags, 'recon --version' for the build.")
}

// newFlagSet returns a flag set whose errors are returned, with a usage text.
func newFlagSet(e *env, name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: recon %s %s\n\n%s\n\nFlags:\n", name, synopsis, about)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
	}
	return fs
}

// parseFlags parses args, turning a flag mistake into a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	// The flag package would print the whole usage on any mistake: keep
	// that for -h, and give a mistake one line and a hint.
	usage := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		usage()
		return err
	}
	if err != nil {
		return &usageError{message: err.Error(), hint: fmt.Sprintf("run 'recon %s -h' for its flags", fs.Name())}
	}
	if fs.NArg() > 0 {
		return &usageError{message: fmt.Sprintf("unexpected argument %q", fs.Arg(0)), hint: fmt.Sprintf("run 'recon %s -h' for its flags", fs.Name())}
	}
	return nil
}

func versionCmd(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "version", "", "Prints recon's version, the commit it was built from (+modified when the\nwork tree had changes) and the Go release. 'recon --version' and 'recon -v'\nprint the same.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, versionLine())
	return nil
}
