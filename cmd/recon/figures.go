package main

import (
	"strconv"
	"strings"
)

// group writes a count with Indian digit grouping, as the finance team
// reads figures: the last three digits, then pairs (10,04,000 for a
// million and four thousand; 1,23,45,678).
func group(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	if len(s) <= 3 {
		return sign + s
	}
	head, tail := s[:len(s)-3], s[len(s)-3:]
	var parts []string
	for len(head) > 2 {
		parts = append([]string{head[len(head)-2:]}, parts...)
		head = head[:len(head)-2]
	}
	parts = append([]string{head}, parts...)
	return sign + strings.Join(parts, ",") + "," + tail
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
