package config

import (
	"strconv"
	"strings"
)

// keyLines maps each key of a TOML document, written in full
// ("match.tolerance", "statuses.orders.user dropped"), to the line it is
// set on, and each table header to its line. BurntSushi/toml keeps key
// positions private, so this reads the lines itself; it understands the
// keys recon's configuration uses (bare, quoted and dotted keys, [tables])
// and ignores what it does not.
func keyLines(doc string) map[string]int {
	lines := map[string]int{}
	table := ""
	inMulti := false // inside a multi-line string
	depth := 0       // inside a multi-line array
	for i, line := range strings.Split(doc, "\n") {
		n := i + 1
		t := strings.TrimSpace(line)
		if inMulti {
			if strings.Count(t, `"""`)%2 == 1 || strings.Count(t, `'''`)%2 == 1 {
				inMulti = false
			}
			continue
		}
		if depth > 0 {
			depth += strings.Count(t, "[") - strings.Count(t, "]")
			continue
		}
		if t == "" || t[0] == '#' {
			continue
		}
		if t[0] == '[' {
			name := strings.Trim(t, "[]")
			if j := strings.Index(name, "]"); j >= 0 {
				name = name[:j]
			}
			table = joinKey(splitKey(strings.TrimSpace(name)))
			if _, ok := lines[table]; !ok {
				lines[table] = n
			}
			continue
		}
		eq := keyEnd(t)
		if eq < 0 {
			continue
		}
		key := joinKey(splitKey(strings.TrimSpace(t[:eq])))
		if table != "" {
			key = table + "." + key
		}
		if _, ok := lines[key]; !ok {
			lines[key] = n
		}
		val := strings.TrimSpace(t[eq+1:])
		if strings.Count(val, `"""`)%2 == 1 || strings.Count(val, `'''`)%2 == 1 {
			inMulti = true
		}
		if strings.HasPrefix(val, "[") {
			depth = strings.Count(val, "[") - strings.Count(val, "]")
		}
	}
	return lines
}

// keyEnd returns the index of the '=' that ends a line's key, skipping
// quoted parts; -1 when the line sets no key.
func keyEnd(t string) int {
	var quote byte
	for i := 0; i < len(t); i++ {
		ch := t[i]
		switch {
		case quote != 0:
			if ch == '\\' && quote == '"' {
				i++
			} else if ch == quote {
				quote = 0
			}
		case ch == '"' || ch == '\'':
			quote = ch
		case ch == '=':
			return i
		}
	}
	return -1
}

// splitKey splits a dotted key, unquoting its parts.
func splitKey(k string) []string {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(k); i++ {
		ch := k[i]
		switch ch {
		case '"', '\'':
			j := strings.IndexByte(k[i+1:], ch)
			if j < 0 {
				cur.WriteString(k[i:])
				i = len(k)
				continue
			}
			s := k[i : i+j+2]
			if ch == '"' {
				if u, err := strconv.Unquote(s); err == nil {
					s = u
				} else {
					s = s[1 : len(s)-1]
				}
			} else {
				s = s[1 : len(s)-1]
			}
			cur.WriteString(s)
			i += j + 1
		case '.':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		case ' ', '\t':
		default:
			cur.WriteByte(ch)
		}
	}
	return append(parts, strings.TrimSpace(cur.String()))
}

func joinKey(parts []string) string { return strings.Join(parts, ".") }
