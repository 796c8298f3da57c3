package sshstep

import "strings"

// Quote quotes one argument for a POSIX shell so that it reaches the command
// as exactly that one argument. Words made only of characters no shell treats
// specially are left bare, which keeps dry runs readable.
func Quote(arg string) string {
	if arg != "" && isBare(arg) {
		return arg
	}
	// Inside '...' nothing is special; a ' itself ends the quote, is written
	// escaped, and a new quote begins.
	return "'" + strings.ReplaceAll(arg, "'", `'\''`) + "'"
}

// Command joins argv as quoted words: the string the remote shell receives.
func Command(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = Quote(a)
	}
	return strings.Join(words, " ")
}

// isBare reports whether s needs no quoting. '=' is left out because a first
// word like A=1 would be an assignment, and '~' because of tilde expansion.
func isBare(s string) bool {
	for _, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.ContainsRune("_-./:,@%+", c):
		default:
			return false
		}
	}
	return true
}
