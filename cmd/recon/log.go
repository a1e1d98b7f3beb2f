package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
)

// output is where a command's logs and progress go: stderr, as text with a
// progress line on a terminal, as JSON lines otherwise (cron, systemd).
type output struct {
	log      *slog.Logger
	terminal bool
	line     *progressLine // nil when not a terminal
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
		level = slog.LevelWarn // the progress line and the summary say enough
	}
	o := &output{terminal: term}
	zone, err := config.LoadZone(config.DefaultZone)
	if err != nil {
		return nil, err
	}
	o.setZone(zone)
	var w io.Writer = e.stderr
	if term {
		o.line = &progressLine{w: e.stderr}
		w = o.line
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: o.replaceAttr}
	var h slog.Handler
	if json {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	if o.line != nil {
		h = &stageHandler{Handler: h, line: o.line}
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

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress shows what is happening and for how long on one terminal line
// until stop is called; it does nothing off a terminal.
func (o *output) progress(ctx context.Context, what string) (stop func()) {
	if o.line == nil {
		return func() {}
	}
	return o.line.start(ctx, what)
}

// progressLine is a status line redrawn in place. Log lines written
// through it clear it first, so the two never mix.
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	what  string
	stage string
	begun time.Time
	shown bool
}

func (p *progressLine) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	return p.w.Write(b)
}

func (p *progressLine) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}

func (p *progressLine) setStage(s string) {
	p.mu.Lock()
	p.stage = s
	p.mu.Unlock()
}

func (p *progressLine) start(ctx context.Context, what string) func() {
	p.mu.Lock()
	p.what, p.begun = what, time.Now()
	p.mu.Unlock()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		spin := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
		t := time.NewTicker(150 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			p.mu.Lock()
			stage := p.stage
			if stage != "" {
				stage = ": " + stage
			}
			fmt.Fprintf(p.w, "\r\033[K%c %s%s (%s)", spin[i%len(spin)], p.what, stage, time.Since(p.begun).Round(time.Second))
			p.shown = true
			p.mu.Unlock()
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		p.mu.Lock()
		p.clear()
		p.mu.Unlock()
	}
}

// stageHandler notes the stage of every record (even those below the log
// level) for the progress line.
type stageHandler struct {
	slog.Handler
	line  *progressLine
	stage string
}

func (h *stageHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || h.Handler.Enabled(ctx, l)
}

func (h *stageHandler) Handle(ctx context.Context, r slog.Record) error {
	stage := h.stage
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "stage" {
			stage = a.Value.String()
		}
		return true
	})
	if stage != "" {
		h.line.setStage(stage)
	}
	if !h.Handler.Enabled(ctx, r.Level) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h *stageHandler) WithAttrs(as []slog.Attr) slog.Handler {
	n := &stageHandler{Handler: h.Handler.WithAttrs(as), line: h.line, stage: h.stage}
	for _, a := range as {
		if a.Key == "stage" {
			n.stage = a.Value.String()
		}
	}
	return n
}

func (h *stageHandler) WithGroup(name string) slog.Handler {
	return &stageHandler{Handler: h.Handler.WithGroup(name), line: h.line, stage: h.stage}
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
