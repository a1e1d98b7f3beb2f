package sqlite

import "slices"

// For the tests of package sqlite_test.
var (
	AssembleDay = assembleDay
	DayDiff     = dayDiff
)

// SpilledSources names the sources of the day whose spills are filled,
// sorted.
func SpilledSources(s *DB) []string {
	s.spills.mu.Lock()
	defer s.spills.mu.Unlock()
	var names []string
	for key, sp := range s.spills.m {
		if sp.filled {
			names = append(names, key.source)
		}
	}
	slices.Sort(names)
	return names
}
