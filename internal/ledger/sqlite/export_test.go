package sqlite

// For the tests of package sqlite_test.
var (
	AssembleDay = assembleDay
	DayDiff     = dayDiff
)
