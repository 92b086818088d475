//go:build !unix

package exec

import osexec "os/exec"

func setProcessGroup(cmd *osexec.Cmd) {}

func terminateGroup(cmd *osexec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

func killGroup(cmd *osexec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
