package logcheck

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/internal/clock"
)

// bufSize is how much one read asks for: big enough that syscalls vanish
// against the scan (1 and 4 MiB measured no faster), small because it is also
// the longest line kept whole.
const bufSize = 256 << 10

// maxLine is the longest line judged whole. A longer one is judged on its
// first maxLine bytes, so a file without newlines cannot make memory grow.
const maxLine = bufSize

// lastMatchMax bounds last_match, which is shown as the reason on status pages.
const lastMatchMax = 200

// prober follows one file across probes. It keeps the file open between them
// and closes it as soon as the path names another file or none, so a log that
// is rotated or deleted to free disk space is not kept alive by Vigil.
type prober struct {
	path    string
	m       *matcher
	maxRead int64
	fromEnd bool
	clock   clock.Clock

	mu     sync.Mutex
	win    window
	f      *os.File
	closed bool
	// started is set once a file was opened or found missing: a file that
	// appears after that (rotated in, or created) is new and read from its
	// start. Other open errors leave it unset, so from: end still applies to a
	// file that was there all along but, say, unreadable.
	started bool
	off     int64 // next byte of f to read
	// partial is the start of a line that has no '\n' yet; it is counted when
	// the line is completed, or when its file is rotated away.
	partial []byte
	// skipping means the current line outgrew maxLine and has been judged;
	// the rest of it, up to its '\n', is read but not looked at.
	skipping bool
}

// tally is what one probe read.
type tally struct {
	lines, matches int
	bytes          int64
	last           string
}

// Probe reads what was appended since the last probe. It stops early, without
// error, after max_read bytes or when ctx ends; the next probe continues.
func (p *prober) Probe(ctx context.Context) (any, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errors.New("log check " + p.path + " is closed")
	}
	now := p.clock.Now()
	var t tally
	size, err := p.follow(ctx, &t)
	// Lines read before an error (say, a rotated file drained before its
	// successor could be opened) still happened and stay in the window.
	matches, last := p.win.add(now, t.matches, t.last)
	if err != nil {
		return nil, err
	}
	return Vars{
		Matches:    matches,
		NewMatches: t.matches,
		Lines:      t.lines,
		Bytes:      t.bytes,
		LastMatch:  last,
		Size:       size,
	}, nil
}

// Close releases the file.
func (p *prober) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	return p.closeFile()
}

func (p *prober) closeFile() error {
	if p.f == nil {
		return nil
	}
	err := p.f.Close()
	p.f, p.off, p.partial, p.skipping = nil, 0, nil, false
	return err
}

// follow reads the open file to its end, switching to the file the path names
// now once the old one is drained, and returns the followed file's size.
func (p *prober) follow(ctx context.Context, t *tally) (int64, error) {
	budget := p.maxRead
	if p.f != nil {
		fi, err := p.f.Stat()
		if err != nil {
			p.closeFile()
			return 0, err
		}
		size := fi.Size()
		cur, err := os.Stat(p.path)
		same := err == nil && os.SameFile(fi, cur)
		if same && size < p.off {
			// Truncated in place (copytruncate): the pending text is gone too.
			p.off, p.partial, p.skipping = 0, p.partial[:0], false
		}
		done, err := p.read(ctx, size, &budget, t)
		if err != nil || same || !done {
			return size, err
		}
		// The path names another file or none (rotated or removed) and the old
		// one is drained, so its unterminated last line is as complete as it
		// will ever be.
		p.flush(t)
		p.closeFile()
	}
	f, err := os.Open(p.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			p.started = true
		}
		return 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, err
	}
	p.f, p.off = f, 0
	if p.fromEnd && !p.started {
		p.off = fi.Size()
	}
	p.started = true
	_, err = p.read(ctx, fi.Size(), &budget, t)
	return fi.Size(), err
}

// read scans p.f from p.off up to size, stopping early when the budget is spent
// or ctx ends, and reports whether it got to size.
func (p *prober) read(ctx context.Context, size int64, budget *int64, t *tally) (bool, error) {
	if p.off >= size {
		return true, nil
	}
	buf := make([]byte, min(bufSize, int64(len(p.partial))+size-p.off))
	carry := copy(buf, p.partial)
	defer func() { p.partial = append(p.partial[:0], buf[:carry]...) }()
	for p.off < size && *budget > 0 && ctx.Err() == nil {
		want := min(int64(len(buf)-carry), size-p.off, *budget)
		n, err := p.f.ReadAt(buf[carry:carry+int(want)], p.off)
		p.off += int64(n)
		*budget -= int64(n)
		t.bytes += int64(n)
		data := buf[:carry+n]
		carry = 0
		if p.skipping {
			j := bytes.IndexByte(data, '\n')
			if j < 0 {
				data = nil
			} else {
				data, p.skipping = data[j+1:], false
			}
		}
		end := bytes.LastIndexByte(data, '\n') + 1
		p.scan(data[:end], t)
		if rest := data[end:]; len(rest) >= maxLine {
			p.scan(rest, t)
			p.skipping = true
		} else {
			carry = copy(buf, rest)
		}
		if err == io.EOF {
			// The file shrank while we read; the next probe sees the truncation.
			return true, nil
		}
		if err != nil {
			return false, err
		}
	}
	return p.off >= size, nil
}

// flush counts the pending unterminated line of a file that is being left.
func (p *prober) flush(t *tally) {
	p.scan(p.partial, t)
	p.partial, p.skipping = p.partial[:0], false
}

// scan counts the lines of b; text after its last '\n' counts as a line.
func (p *prober) scan(b []byte, t *tally) {
	if len(b) == 0 {
		return
	}
	t.lines += bytes.Count(b, []byte{'\n'})
	if b[len(b)-1] != '\n' {
		t.lines++
	}
	if n, last := p.m.count(b); n > 0 {
		t.matches += n
		t.last = clip(last)
	}
}

// clip makes a matching line fit for display: no CR, valid UTF-8, at most
// about lastMatchMax bytes.
func clip(line []byte) string {
	line = bytes.TrimRight(line, "\r")
	suffix := ""
	if len(line) > lastMatchMax {
		cut := lastMatchMax
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		line, suffix = line[:cut], "…"
	}
	return strings.ToValidUTF8(string(line), "\uFFFD") + suffix
}
