package logcheck

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
)

const benchPattern = `Error Processing Order`

// writeOrderLog writes at least size bytes of a deterministic log shaped like
// the seed's order_processing.log: every order is "Processing Order N" and then
// "Order Processed", except every 97th, which fails with "Error Processing
// Order. Error #12". It returns how many lines match benchPattern.
func writeOrderLog(w io.Writer, size int64) (errors int, err error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	var line []byte
	var n int64
	for i := 1; n < size; i++ {
		line = append(strconv.AppendInt(append(line[:0], "Processing Order "...), int64(i), 10), '\n')
		if i%97 == 0 {
			line = append(line, "Error Processing Order. Error #12\n"...)
			errors++
		} else {
			line = append(line, "Order Processed\n"...)
		}
		bw.Write(line)
		n += int64(len(line))
	}
	return errors, bw.Flush()
}

func orderLog(size int64) []byte {
	var b bytes.Buffer
	writeOrderLog(&b, size)
	return b.Bytes()
}

// TestWriteBenchLogFile is how scripts/bench-logcheck.sh makes its input, so
// grep and the benchmark read exactly what the in-package benchmarks read.
func TestWriteBenchLogFile(t *testing.T) {
	path := os.Getenv("VIGIL_BENCH_LOG_WRITE")
	if path == "" {
		t.Skip("set VIGIL_BENCH_LOG_WRITE=FILE (and VIGIL_BENCH_LOG_SIZE=bytes) to write the benchmark log")
	}
	size, err := strconv.ParseInt(os.Getenv("VIGIL_BENCH_LOG_SIZE"), 10, 64)
	if err != nil {
		t.Fatal("VIGIL_BENCH_LOG_SIZE: ", err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := writeOrderLog(f, size)
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s: %d matching lines", path, n)
}

// benchFile reads the whole file with one probe per iteration, as a log check
// with from: start does on its first probe.
func benchFile(b *testing.B, path, pattern string) {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	spec := &Spec{Path: path, Match: pattern, From: "start", MaxRead: fi.Size()}
	b.SetBytes(fi.Size())
	var v Vars
	for b.Loop() {
		p, err := spec.NewProber(check.Env{Clock: clock.NewFake(t0)})
		if err != nil {
			b.Fatal(err)
		}
		out, err := p.Probe(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		p.(io.Closer).Close()
		v = out.(Vars)
	}
	if v.Bytes != fi.Size() {
		b.Fatalf("read %d of %d bytes", v.Bytes, fi.Size())
	}
	b.ReportMetric(float64(v.NewMatches), "matches")
	b.ReportMetric(float64(v.Lines), "lines")
}

// BenchmarkLogFile reads a 64 MiB file, once per path through the matcher:
// a pure literal, a literal confirmed by the regexp, alternative literals, a
// case-insensitive literal, and the per-line regexp for a pattern with none.
func BenchmarkLogFile(b *testing.B) {
	path := filepath.Join(b.TempDir(), "order_processing.log")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := writeOrderLog(f, 64<<20); err != nil {
		b.Fatal(err)
	}
	f.Close()
	for _, c := range []struct{ name, pattern string }{
		{"literal", benchPattern},
		{"literal+regexp", `Error Processing Order\. Error #\d+`},
		{"alternation", `Error Processing Order|Order Failed`},
		{"fold-case", `(?i)error processing order`},
		{"no-literal", `\d{7}`},
	} {
		b.Run(c.name, func(b *testing.B) { benchFile(b, path, c.pattern) })
	}
}

// BenchmarkLogFile1GiB is run by scripts/bench-logcheck.sh on a file it made.
func BenchmarkLogFile1GiB(b *testing.B) {
	path := os.Getenv("VIGIL_BENCH_LOG_FILE")
	if path == "" {
		b.Skip("set VIGIL_BENCH_LOG_FILE to a log file to read")
	}
	benchFile(b, path, benchPattern)
}
