// Package envfile reads KEY=VALUE files (--envfile) into the environment
// before the config is rendered.
package envfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Parse reads KEY=VALUE lines. Blank lines and lines starting with # are
// skipped; `export KEY=VALUE` is accepted; a value in double quotes takes Go
// escapes (\n, \"), one in single quotes is taken as it is.
func Parse(r io.Reader, name string) ([][2]string, error) {
	var out [][2]string
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff") // a byte-order mark some editors write
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		key, value, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return nil, fmt.Errorf("%s:%d: expected KEY=VALUE", name, n)
		}
		value = strings.TrimSpace(value)
		switch {
		case len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"':
			v, err := strconv.Unquote(value)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: bad double-quoted value", name, n, key)
			}
			value = v
		case len(value) >= 2 && value[0] == '\'' && value[len(value)-1] == '\'':
			value = value[1 : len(value)-1]
		}
		out = append(out, [2]string{key, value})
	}
	return out, sc.Err()
}

// Load reads each file in order and sets the variables that the process
// environment does not already set: the environment wins over files, and an
// earlier file over a later one.
func Load(paths ...string) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("--envfile: %w", err)
		}
		pairs, err := Parse(f, p)
		f.Close()
		if err != nil {
			return fmt.Errorf("--envfile: %w", err)
		}
		for _, kv := range pairs {
			if _, set := os.LookupEnv(kv[0]); !set {
				os.Setenv(kv[0], kv[1])
			}
		}
	}
	return nil
}
