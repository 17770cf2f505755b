package syncio

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
)

// writeConcurrently writes line from each of n goroutines, times times each,
// while another goroutine reads through read (nil: no reader).
func writeConcurrently(t *testing.T, w io.Writer, read func() string, n, times int, line string) {
	t.Helper()
	var writers sync.WaitGroup
	stop := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			select {
			case <-stop:
				return
			default:
				if read != nil {
					_ = read()
				}
			}
		}
	}()
	for range n {
		writers.Go(func() {
			for range times {
				if _, err := w.Write([]byte(line)); err != nil {
					t.Errorf("write: %v", err)
					return
				}
			}
		})
	}
	writers.Wait()
	close(stop)
	<-readerDone
}

// A line written in one call must never be interleaved with another.
func assertWholeLines(t *testing.T, text string, want int, line string) {
	t.Helper()
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) != want {
		t.Fatalf("got %d lines, want %d", len(lines), want)
	}
	for i, l := range lines {
		if l != line {
			t.Fatalf("line %d = %q, want %q: writes were interleaved", i, l, line)
		}
	}
}

func TestWriterSerialisesWrites(t *testing.T) {
	var dst bytes.Buffer // not safe for concurrent use on its own
	line := strings.Repeat("x", 512) + "\n"
	writeConcurrently(t, NewWriter(&dst), nil, 8, 200, line)
	assertWholeLines(t, dst.String(), 8*200, line)
}

func TestBufferReadsWhileWritten(t *testing.T) {
	var b Buffer
	line := strings.Repeat("y", 512) + "\n"
	writeConcurrently(t, &b, b.String, 8, 200, line)
	assertWholeLines(t, b.String(), 8*200, line)
}
