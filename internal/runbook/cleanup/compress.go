package cleanup

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// compress gzips name to name.gz and removes name, returning the size of the
// .gz. The .gz is written under a temporary name and linked into place, which
// fails rather than replace a file that appeared meanwhile; the original is
// removed only if it is still the file that was read, unchanged. When
// compress declines it returns why, and leaves everything as it was.
func (d *dir) compress(ctx context.Context, name string, info fs.FileInfo) (int64, string, error) {
	const changed = "changed during the clean-up"
	gzName := name + ".gz"
	src, err := d.root.Open(name)
	if err != nil {
		return 0, "", unwrapPath(err)
	}
	defer src.Close()
	// Open follows a symlink put in place since the Lstat; this catches it.
	st, err := src.Stat()
	if err != nil {
		return 0, "", err
	}
	if !os.SameFile(st, info) || !st.Mode().IsRegular() {
		return 0, changed, nil
	}
	if reason, err := d.gzExists(name); reason != "" || err != nil {
		return 0, reason, err
	}

	tmpName := tempPrefix + rand.Text()
	tmp, err := d.root.OpenFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, "", unwrapPath(err)
	}
	defer d.root.Remove(tmpName) // the .gz is a second link by then, or not wanted
	if err := writeGzip(ctx, tmp, src, name, info); err != nil {
		tmp.Close()
		return 0, "", err
	}
	if err := tmp.Close(); err != nil {
		return 0, "", err
	}
	if err := d.root.Chtimes(tmpName, info.ModTime(), info.ModTime()); err != nil {
		return 0, "", unwrapPath(err)
	}
	if st, err = src.Stat(); err != nil {
		return 0, "", err
	}
	if st.Size() != info.Size() || !st.ModTime().Equal(info.ModTime()) {
		return 0, changed, nil
	}

	if err := d.publish(tmpName, gzName); errors.Is(err, fs.ErrExist) {
		return 0, gzName + " already exists", nil
	} else if err != nil {
		return 0, "", err
	}
	gz, err := d.root.Lstat(gzName)
	if err != nil {
		return 0, "", unwrapPath(err)
	}
	if cur, err := d.root.Lstat(name); err != nil || !os.SameFile(cur, info) {
		// Someone replaced the file; the new one is theirs to keep.
		return 0, "replaced during the clean-up; " + gzName + " holds the old content", nil
	}
	if err := d.root.Remove(name); err != nil {
		return 0, "", unwrapPath(err)
	}
	return gz.Size(), "", nil
}

func writeGzip(ctx context.Context, dst *os.File, src io.Reader, name string, info fs.FileInfo) error {
	// Keep the original's mode and, where allowed, its owner: log readers
	// must still be able to read the archive.
	if err := dst.Chmod(info.Mode().Perm()); err != nil {
		return err
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		_ = dst.Chown(int(st.Uid), int(st.Gid)) // only root may; others already own both
	}
	zw := gzip.NewWriter(dst)
	zw.Name = name
	zw.ModTime = info.ModTime()
	if _, err := io.Copy(zw, ctxReader{ctx, src}); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	// The original is removed next; its copy must be on disk first.
	return dst.Sync()
}

// publish links tmpName to gzName, failing with fs.ErrExist if gzName is
// there. On a file system without hard links it falls back to a rename
// after a check, which leaves a small window for a racing writer.
func (d *dir) publish(tmpName, gzName string) error {
	err := d.root.Link(tmpName, gzName)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	if _, err := d.root.Lstat(gzName); err == nil {
		return fs.ErrExist
	}
	return unwrapPath(d.root.Rename(tmpName, gzName))
}

// ctxReader ends a long copy when ctx does.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
