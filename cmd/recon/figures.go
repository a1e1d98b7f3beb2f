package main

import (
	"strconv"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// indian is the locale stdout counts are grouped in: the finance team
// reads 10,04,000, not 1,004,000 (CLDR's en-IN: the last three digits,
// then pairs).
var indian = language.MustParse("en-IN")

// group writes a count with Indian digit grouping: 10,04,000.
func group(n int) string {
	return message.NewPrinter(indian).Sprintf("%d", n)
}

// groupFigure groups a summary figure that is a whole number and returns
// any other as it is.
func groupFigure(s string) string {
	n, err := strconv.Atoi(s)
	if err != nil {
		return s
	}
	return group(n)
}
