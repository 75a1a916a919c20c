package fuzzy_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tamp-ecs/tamp/internal/fuzzy"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"a", "", 1},
		{"", "abc", 3},
		{"abc", "abc", 0},
		{"kitten", "sitting", 3},
		{"flaw", "lawn", 2},
		{"saturday", "sunday", 3},
		{"image", "imagee", 1},
		{"image", "imgae", 2}, // a transposition is two edits
		{"ab", "ba", 2},
		{"Image", "image", 1}, // case-sensitive
		{"abc", "xyz", 3},
		{"é", "e", 2}, // counts bytes: é is two bytes
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := fuzzy.Distance(tt.a, tt.b); got != tt.want {
				t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := fuzzy.Distance(tt.b, tt.a); got != tt.want {
				t.Errorf("Distance(%q, %q) = %d, want %d (symmetric)", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

func TestNearest(t *testing.T) {
	tests := []struct {
		name       string
		word       string
		candidates []string
		max        int
		want       []string
	}{
		{
			name:       "nearest first, far ones dropped",
			word:       "imag", // limit 4/3+2 = 3
			candidates: []string{"imagine", "xyzw", "images", "image"},
			max:        10,
			want:       []string{"image", "images", "imagine"},
		},
		{
			name:       "ties broken alphabetically",
			word:       "cat",
			candidates: []string{"hat", "cut", "bat", "car"},
			max:        10,
			want:       []string{"bat", "car", "cut", "hat"},
		},
		{
			name:       "max limits the result",
			word:       "cat",
			candidates: []string{"hat", "cut", "bat", "car"},
			max:        2,
			want:       []string{"bat", "car"},
		},
		{
			name:       "max zero",
			word:       "cat",
			candidates: []string{"cat"},
			max:        0,
			want:       []string{},
		},
		{
			name:       "distance limit is len/3+2",
			word:       "abc", // limit 3
			candidates: []string{"abcdefg", "abcdef"},
			max:        10,
			want:       []string{"abcdef"},
		},
		{
			name:       "longer word allows more edits",
			word:       "abcdefghi", // limit 5
			candidates: []string{"abc", "abcdefghijklmno", "abcdefghijklmn", "abcd"},
			max:        10,
			want:       []string{"abcd", "abcdefghijklmn"}, // 5 edits each; 6 is too many
		},
		{
			name:       "case-insensitive, original spelling returned",
			word:       "IMAGE",
			candidates: []string{"imagee", "Image"},
			max:        10,
			want:       []string{"Image", "imagee"},
		},
		{
			name:       "case-insensitive word",
			word:       "ContainerDefinitions",
			candidates: []string{"containerDefinitions"},
			max:        1,
			want:       []string{"containerDefinitions"},
		},
		{
			name:       "an index extension counts as near",
			word:       "ab", // limit 2; the candidate is far by edit distance
			candidates: []string{`ab["a-long-key-name"]`, "abcdefgh"},
			max:        10,
			want:       []string{`ab["a-long-key-name"]`},
		},
		{
			name:       "index extensions rank with distance one",
			word:       "aws_subnet.private",
			candidates: []string{"aws_subnet.privates", "aws_subnet.private[1]", "aws_subnet.private[0]", "aws_subnet.public[0]"},
			max:        3,
			want:       []string{"aws_subnet.private[0]", "aws_subnet.private[1]", "aws_subnet.privates"},
		},
		{
			name:       "index extension is case-insensitive",
			word:       "AWS_VPC.MAIN",
			candidates: []string{"aws_vpc.main[0]"},
			max:        10,
			want:       []string{"aws_vpc.main[0]"},
		},
		{
			name:       "a plain prefix is not an index extension",
			word:       "ab",
			candidates: []string{"ab.a-long-attribute"},
			max:        10,
			want:       []string{},
		},
		{
			name:       "exact match first",
			word:       "name",
			candidates: []string{"names", "name"},
			max:        10,
			want:       []string{"name", "names"},
		},
		{
			name: "no candidates",
			word: "anything",
			max:  3,
			want: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fuzzy.Nearest(tt.word, tt.candidates, tt.max)
			if got == nil {
				t.Fatalf("Nearest returned nil, want a non-nil slice")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Nearest(%q, %q, %d) mismatch (-want +got):\n%s", tt.word, tt.candidates, tt.max, diff)
			}
		})
	}
}
