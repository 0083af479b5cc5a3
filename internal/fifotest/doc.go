// Package fifotest gives tests a named pipe with a reader: a path that is
// not a file, as /dev/null, /dev/stdout or a shell's >(gzip > f.gz) are
// not, for the tests of what is written there. It builds on Linux and
// the BSDs (macOS included), which have syscall.Mkfifo; elsewhere it is
// empty.
package fifotest
