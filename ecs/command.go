package ecs

import (
	"encoding/json"
	"fmt"
	"strings"
)

// CommandWords reads a command line (run --command): a JSON array of strings, or words as a
// POSIX shell splits them (single quotes literal, double quotes with
// backslash escapes, backslash outside quotes; a backslash-newline outside
// single quotes continues the line and is removed).
func CommandWords(s string) ([]string, error) {
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "[") {
		var words []string
		if err := json.Unmarshal([]byte(t), &words); err != nil {
			return nil, fmt.Errorf("--command: not a JSON array of strings: %w", err)
		}
		return words, nil
	}
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("--command: unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && s[i+1] == '\n' {
					i++
					continue
				}
				if s[i] == '\\' && i+1 < len(s) && strings.ContainsRune(`"\$`+"`", rune(s[i+1])) {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("--command: unterminated double quote")
			}
			inWord = true
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i++ // a continuation: nothing, not even a word break
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("--command: empty")
	}
	return words, nil
}
