package web

import "bytes"

// Ingestion bodies are read into buffers kept between requests: at a few
// tens of kilobytes for fifty alerts, a new buffer per request was a good
// part of the garbage each alert left behind. The parsers copy what they
// keep (see parser), so a buffer is free again once its request is parsed.

// maxKeptBody bounds a kept buffer; a larger body's goes to the collector.
const maxKeptBody = 1 << 20

func (s *Server) bodyBuffer() *bytes.Buffer {
	if b, ok := s.bodies.Get().(*bytes.Buffer); ok {
		return b
	}
	return new(bytes.Buffer)
}

func (s *Server) keepBody(b *bytes.Buffer) {
	if b.Cap() > maxKeptBody {
		return
	}
	b.Reset()
	s.bodies.Put(b)
}
