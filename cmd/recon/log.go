package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/pipeline"
)

// output is where a command's logs and progress go: stderr, as text with
// progress bars on a terminal, as JSON lines otherwise (cron, systemd).
type output struct {
	log      *slog.Logger
	terminal bool
	display  *display // nil when not a terminal
	// zone is the business zone log times are written in, with their
	// offset, as 'recon runs' writes its times: one convention.
	zone atomic.Pointer[time.Location]
}

// setZone makes the log's times be written in zone from now on (the
// default zone until the configuration names another).
func (o *output) setZone(zone *time.Location) {
	if zone != nil {
		o.zone.Store(zone)
	}
}

// logTimeLayout is how a log line and 'recon runs' write a time: RFC 3339
// in the business zone, the offset shown.
const logTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// replaceAttr writes the record's time in the business zone and redacts
// anything that looks like a secret.
func (o *output) replaceAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey && a.Value.Kind() == slog.KindTime {
		return slog.String(slog.TimeKey, a.Value.Time().In(o.zone.Load()).Format(logTimeLayout))
	}
	return redact(groups, a)
}

// newOutput builds the logger for format (text, json or auto).
func newOutput(e *env, format string, verbose bool) (*output, error) {
	term := isTerminal(e.stderr)
	json := !term
	switch format {
	case "", "auto":
	case "text":
		json = false
	case "json":
		json = true
	default:
		return nil, &usageError{message: fmt.Sprintf("unknown log format %q", format), hint: "--log-format takes text, json or auto"}
	}
	level := slog.LevelInfo
	if term && !verbose {
		level = slog.LevelWarn // the progress bars and the summary say enough
	}
	o := &output{terminal: term}
	zone, err := config.LoadZone(config.DefaultZone)
	if err != nil {
		return nil, err
	}
	o.setZone(zone)
	var w io.Writer = e.stderr
	if term {
		o.display = &display{w: e.stderr}
		w = o.display
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: o.replaceAttr}
	var h slog.Handler
	if json {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	o.log = slog.New(h)
	return o, nil
}

// redact keeps anything that looks like a secret out of a log line, as a
// last guard: no code logs a secret on purpose.
func redact(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindString && config.LooksSecret(a.Key, a.Value.String()) {
		return slog.String(a.Key, "[redacted]")
	}
	if a.Value.Kind() == slog.KindString && strings.Contains(a.Value.String(), "pk_live_") {
		return slog.String(a.Key, "[redacted]")
	}
	return a
}

// isTerminal says whether w is a terminal (not merely a character device:
// stderr sent to /dev/null is not one).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress shows, on a terminal, what the run is doing until stop is
// called; off a terminal it shows nothing (the log has a line a stage).
// The returned hook is the pipeline's Progress (nil off a terminal).
func (o *output) progress(ctx context.Context, what string) (hook func(pipeline.Stage), stop func()) {
	if o.display == nil {
		return nil, func() {}
	}
	return o.display.begin, o.display.start(ctx, what)
}

// newLogger is a plain text logger to w (Warn, or Info when verbose), for
// the commands that do not take --log-format.
func newLogger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: redact}))
}
