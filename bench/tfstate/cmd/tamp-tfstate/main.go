// Command tamp-tfstate reads a state with tamp's tfstate package and looks
// up every address in a file, one per line; with -print it prints each
// value on a line.
//
//	tamp-tfstate STATE ADDRESSES [-print]
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/tamp-ecs/tamp/tfstate"
)

func main() {
	print := len(os.Args) > 3 && os.Args[3] == "-print"
	b, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail(err)
	}
	s, err := tfstate.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	defer s.Close()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, a := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		v, err := s.Lookup(a)
		if err != nil {
			fail(err)
		}
		text := tfstate.String(v)
		if text == "" {
			fail(fmt.Errorf("%s: empty", a))
		}
		if print {
			fmt.Fprintln(out, text)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
