package term

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
)

// Prompter asks the person at the terminal to confirm by typing a word
// (a service's name): a line of In that is exactly that word, spaces
// around it aside.
type Prompter struct {
	In  *bufio.Reader
	Out io.Writer
	// Echo writes each answer after its question, for input that is not a
	// terminal (which echoes what is typed itself).
	Echo bool
}

// NewPrompter reads answers from in and writes questions to out; answers
// that do not come from a terminal are echoed.
func NewPrompter(in io.Reader, out io.Writer) *Prompter {
	f, isFile := in.(*os.File)
	tty := isFile && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
	return &Prompter{In: bufio.NewReader(in), Out: out, Echo: !tty}
}

// Confirm prints question and waits for a line; anything but want (an
// empty line, another word, the end of the input) is an error saying so.
func (p *Prompter) Confirm(question, want string) error {
	fmt.Fprintf(p.Out, "%s Type %q to confirm: ", question, want)
	if f, ok := p.Out.(interface{ Flush() error }); ok {
		f.Flush() // the question is out before the answer is read
	}
	line, err := p.In.ReadString('\n')
	got := strings.TrimSpace(line)
	if err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintln(p.Out)
		return fmt.Errorf("reading the confirmation: %w", err)
	}
	if errors.Is(err, io.EOF) && line == "" {
		fmt.Fprintln(p.Out)
		return fmt.Errorf("no confirmation (the input ended); type the name, or give --force")
	}
	if p.Echo {
		fmt.Fprintln(p.Out, got)
	} else if errors.Is(err, io.EOF) {
		fmt.Fprintln(p.Out)
	}
	if got != want {
		return fmt.Errorf("the confirmation %q is not %q", got, want)
	}
	return nil
}
