package diffreport

import (
	"github.com/tamp-ecs/tamp/internal/awsjson"
)

// HideRemoteSecrets replaces, on the AWS side of each change, every value
// at a place where the config's value is secret (mask changes it): the
// old value of a rotated secret is a secret too. Lists of objects are
// matched by their "name" (environment, secrets), else by position.
func (r *Report) HideRemoteSecrets(mask func(string) string, placeholder string) error {
	for i := range r.Changes {
		c := &r.Changes[i]
		if c.Before == nil || c.After == nil {
			continue
		}
		before, err := awsjson.Unmarshal(c.Before)
		if err != nil {
			return err
		}
		after, err := awsjson.Unmarshal(c.After)
		if err != nil {
			return err
		}
		changed := false
		hidden := hide(before, after, mask, placeholder, &changed)
		if !changed {
			continue
		}
		// Both sides are written the same way, so their lines still align.
		if c.Before, err = awsjson.Marshal(hidden); err != nil {
			return err
		}
		if c.After, err = awsjson.Marshal(after); err != nil {
			return err
		}
	}
	return nil
}

func hide(before, after any, mask func(string) string, placeholder string, changed *bool) any {
	switch a := after.(type) {
	case string:
		if _, ok := before.(string); ok && mask(a) != a {
			*changed = true
			return placeholder
		}
	case map[string]any:
		if b, ok := before.(map[string]any); ok {
			for k, bv := range b {
				if av, ok := a[k]; ok {
					b[k] = hide(bv, av, mask, placeholder, changed)
				}
			}
		}
	case []any:
		if b, ok := before.([]any); ok {
			for i, bv := range b {
				if av := counterpart(a, bv, i); av != nil {
					b[i] = hide(bv, av, mask, placeholder, changed)
				}
			}
		}
	}
	return before
}

// counterpart finds the element of list that corresponds to item: the one
// with the same "name", else the one at the same position.
func counterpart(list []any, item any, i int) any {
	if m, ok := item.(map[string]any); ok {
		if name, ok := m["name"].(string); ok {
			for _, x := range list {
				if xm, ok := x.(map[string]any); ok && xm["name"] == name {
					return x
				}
			}
			return nil
		}
	}
	if i < len(list) {
		return list[i]
	}
	return nil
}
