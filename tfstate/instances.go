package tfstate

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// resource indexes one resource's instances: where each one's attributes
// lie and its key, in the state's order. The keys are kept end to end in
// one string and found by binary search, so an instance costs 16 bytes
// and the length of its key, whatever the size of its attributes: with
// tens of thousands of instances the index stays a few megabytes.
type resource struct {
	each      string     // "", "list" (count) or "map" (for_each)
	instances []instance // in the state's order
	keys      string     // every instance key ("" when none, "0", "\"a\""), one after another
	byKey     []int32    // instances in key order, when the state's order is not
}

type instance struct {
	off    int64  // the attributes' offset in the document
	n      uint32 // and length
	keyEnd uint32 // where the key ends in keys; it starts where the one before ends
}

// maxValue is the largest value a span of an instance records: 4 GiB.
const maxValue = math.MaxUint32

// add records an instance while the state is read.
func (r *resource) add(key string, attrs span, keys *strings.Builder) error {
	if attrs.n > maxValue {
		return fmt.Errorf("the attributes of instance %s at offset %d are larger than 4 GiB", key, attrs.off)
	}
	if keys.Len()+len(key) > maxValue {
		return fmt.Errorf("the instance keys are larger than 4 GiB")
	}
	keys.WriteString(key)
	r.instances = append(r.instances, instance{off: attrs.off, n: uint32(attrs.n), keyEnd: uint32(keys.Len())})
	return nil
}

// done ends the resource's instances: it keeps their keys and, when
// the state does not list them in key order (Terraform does), sorts a
// permutation to search.
func (r *resource) done(keys *strings.Builder) {
	r.keys = keys.String()
	r.instances = r.instances[:len(r.instances):len(r.instances)]
	sorted := true
	for i := 1; i < len(r.instances) && sorted; i++ {
		sorted = compareKeys(r.key(i-1), r.key(i)) <= 0
	}
	if sorted {
		return
	}
	r.byKey = make([]int32, len(r.instances))
	for i := range r.byKey {
		r.byKey[i] = int32(i)
	}
	sort.SliceStable(r.byKey, func(a, b int) bool {
		return compareKeys(r.key(int(r.byKey[a])), r.key(int(r.byKey[b]))) < 0
	})
}

// key is instance i's key.
func (r *resource) key(i int) string {
	start := uint32(0)
	if i > 0 {
		start = r.instances[i-1].keyEnd
	}
	return r.keys[start:r.instances[i].keyEnd]
}

// find returns where the attributes of the instance with key are. When a
// key is listed twice, the later one counts.
func (r *resource) find(key string) (span, bool) {
	at := func(j int) int {
		if r.byKey != nil {
			return int(r.byKey[j])
		}
		return j
	}
	// The last instance whose key is not after key.
	j := sort.Search(len(r.instances), func(j int) bool { return compareKeys(r.key(at(j)), key) > 0 }) - 1
	if j < 0 || r.key(at(j)) != key {
		return span{}, false
	}
	in := r.instances[at(j)]
	return span{off: in.off, n: int64(in.n)}, true
}

// keyList is every instance key in the state's order.
func (r *resource) keyList() []string {
	out := make([]string, len(r.instances))
	for i := range out {
		out[i] = r.key(i)
	}
	return out
}

// compareKeys orders canonical instance keys: no key and numbers first,
// shorter before longer (so 0, 1, 2, 10, the order of count), then quoted
// strings. Any total order would do for the search; this one is the order
// Terraform writes instances in, so most resources need no permutation.
func compareKeys(a, b string) int {
	aNum, bNum := !strings.HasPrefix(a, `"`), !strings.HasPrefix(b, `"`)
	switch {
	case aNum != bNum:
		if aNum {
			return -1
		}
		return 1
	case aNum && len(a) != len(b):
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}
