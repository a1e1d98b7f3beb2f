package schedule

import "testing"

// FuzzParseLine: no schedule line makes the parser panic, and a job it
// accepts fires in the future.
func FuzzParseLine(f *testing.F) {
	for _, seed := range []string{
		"CRON_TZ=Asia/Kolkata 0 2 * * * yesterday",
		"@daily today-3 --offline",
		"*/5 * * * * today",
		"TZ=UTC 0 0 31 2 * today",
		"0 2 * * * today-9999",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		j, err := ParseLine(line, ist)
		if err != nil {
			return
		}
		if j.Offset > 0 || j.Offset < -366 {
			t.Errorf("ParseLine(%q) offset %d out of range", line, j.Offset)
		}
	})
}
