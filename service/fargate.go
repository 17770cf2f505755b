package service

import "fmt"

// fargateSizes lists, per task CPU unit count, the memory sizes (MiB) Fargate
// accepts: from, to and the step between.
var fargateSizes = []struct{ cpu, from, to, step int }{
	{256, 512, 2048, 512},
	{512, 1024, 4096, 1024},
	{1024, 2048, 8192, 1024},
	{2048, 4096, 16384, 1024},
	{4096, 8192, 30720, 1024},
	{8192, 16384, 61440, 4096},
	{16384, 32768, 122880, 8192},
}

// ValidateFargateSize reports whether Fargate runs a task of this size; the
// stack configuration and the service arguments both check with it.
func ValidateFargateSize(cpu, memoryMiB int) error {
	for _, row := range fargateSizes {
		if row.cpu != cpu {
			continue
		}
		if memoryMiB < row.from || memoryMiB > row.to || (memoryMiB-row.from)%row.step != 0 {
			return fmt.Errorf("cpu %d with memory %d MiB is not a Fargate size; cpu %d accepts %d to %d MiB in steps of %d",
				cpu, memoryMiB, cpu, row.from, row.to, row.step)
		}
		return nil
	}
	return fmt.Errorf("cpu %d is not a Fargate size; accepted: 256, 512, 1024, 2048, 4096, 8192, 16384", cpu)
}

// platform is one CPU architecture as the image build and the task's runtime
// platform spell it; both come from here so they cannot disagree.
type platform struct {
	docker          string // awsx ecr.Image platform
	cpuArchitecture string // ECS runtimePlatform.cpuArchitecture
}

func platformOf(architecture string) (platform, error) {
	switch architecture {
	case ArchitectureARM64:
		return platform{docker: "linux/arm64", cpuArchitecture: "ARM64"}, nil
	case ArchitectureX8664:
		return platform{docker: "linux/amd64", cpuArchitecture: "X86_64"}, nil
	}
	return platform{}, fmt.Errorf("%q: accepted %q or %q", architecture, ArchitectureARM64, ArchitectureX8664)
}
