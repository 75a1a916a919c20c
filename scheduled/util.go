package scheduled

import "encoding/json"

// mustJSON encodes a value decoded from YAML or JSON, which always encodes.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("scheduled: " + err.Error())
	}
	return b
}
