package hss

import "syscall"

// procSuperMagic is procfs's file system type (statfs(2)).
const procSuperMagic = 0x9fa0

// onProcfs says whether dir is on procfs, wherever it is mounted.
func onProcfs(dir string) bool {
	var st syscall.Statfs_t
	return syscall.Statfs(dir, &st) == nil && st.Type == procSuperMagic
}
