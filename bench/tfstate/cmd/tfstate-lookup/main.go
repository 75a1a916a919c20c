// Command tfstate-lookup does what tamp-tfstate does with
// github.com/fujiwara/tfstate-lookup.
//
//	tfstate-lookup STATE ADDRESSES [-print]
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/fujiwara/tfstate-lookup/tfstate"
)

func main() {
	print := len(os.Args) > 3 && os.Args[3] == "-print"
	b, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail(err)
	}
	s, err := tfstate.ReadFile(context.Background(), os.Args[1])
	if err != nil {
		fail(err)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, a := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		v, err := s.Lookup(a)
		if err != nil {
			fail(err)
		}
		text := v.String()
		if text == "" || text == "null" {
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
