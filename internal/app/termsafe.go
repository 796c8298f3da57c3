package app

import "io"

// termSafe drops, from what the CLI prints, the control characters a
// terminal would act on (escape sequences that retitle the window, clear the
// screen, move the cursor or rewrite earlier lines): alert summaries, notes
// and labels come from anyone who can send an alert, and printed as they
// are they could make a listing lie. Tabs and newlines stay; JSON output
// escapes controls itself, so it passes unchanged.
type termSafe struct{ w io.Writer }

func (t termSafe) Write(p []byte) (int, error) {
	clean := -1 // index of the first byte to drop, if any
	for i := 0; i < len(p); i++ {
		if dropped(p, i) > 0 {
			clean = i
			break
		}
	}
	if clean < 0 {
		return t.w.Write(p)
	}
	out := make([]byte, 0, len(p))
	out = append(out, p[:clean]...)
	for i := clean; i < len(p); {
		if n := dropped(p, i); n > 0 {
			i += n
			continue
		}
		out = append(out, p[i])
		i++
	}
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// dropped is how many bytes at p[i] termSafe drops: a C0 control but tab
// and newline, DEL, or a C1 control in UTF-8 (0xC2 0x80–0x9F); 0 to keep.
func dropped(p []byte, i int) int {
	switch c := p[i]; {
	case c == '\t' || c == '\n':
		return 0
	case c < 0x20 || c == 0x7f:
		return 1
	case c == 0xc2 && i+1 < len(p) && p[i+1] >= 0x80 && p[i+1] <= 0x9f:
		return 2
	}
	return 0
}
