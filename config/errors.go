package config

// InputError is a problem found while rendering and validating the inputs
// (config, definitions, scheduled tasks, flags), before any AWS call that
// changes anything: a command that returns one changed nothing.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Invalid marks err, if any, as an InputError.
func Invalid(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err}
}
