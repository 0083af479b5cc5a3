// Package fifotest gives tests a named pipe with a reader: a path that is
// not a file, as /dev/null, /dev/stdout or a shell's >(gzip > f.gz) are
// not, for the tests of what is written there. It builds on Unix only;
// elsewhere it is empty.
package fifotest
