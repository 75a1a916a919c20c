// Package envfile reads KEY=VALUE files (--envfile) into the process
// environment before the config is rendered. It owns the file syntax and the
// precedence between files and the environment; the templates that read the
// variables live in config.
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

// Load reads each file in order and sets every variable it holds, as
// ecspresso's --envfile does: a file's value replaces the one the process
// environment had, and a later file's replaces an earlier one's. Configs
// moved from ecspresso rely on this (a Makefile exports a default, an
// envfile per stage overrides it). A file with an error sets nothing.
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
			if err := os.Setenv(kv[0], kv[1]); err != nil {
				return fmt.Errorf("--envfile: %s: %s: %w", p, kv[0], err)
			}
		}
	}
	return nil
}
