// Command tfstate-lookup does what tamp-tfstate does with
// github.com/fujiwara/tfstate-lookup.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/fujiwara/tfstate-lookup/tfstate"
)

func main() {
	b, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail(err)
	}
	s, err := tfstate.ReadFile(context.Background(), os.Args[1])
	if err != nil {
		fail(err)
	}
	for _, a := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		v, err := s.Lookup(a)
		if err != nil {
			fail(err)
		}
		if v.String() == "" || v.String() == "null" {
			fail(fmt.Errorf("%s: empty", a))
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
