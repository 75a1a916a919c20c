// Command tamp-tfstate reads a state with tamp's tfstate package and looks
// up every address in a file, one per line.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/tamp-ecs/tamp/tfstate"
)

func main() {
	b, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail(err)
	}
	s, err := tfstate.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	for _, a := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		v, err := s.Lookup(a)
		if err != nil {
			fail(err)
		}
		if tfstate.String(v) == "" {
			fail(fmt.Errorf("%s: empty", a))
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
