package stack

import "fmt"

// fargateMemory lists, per task CPU unit count, the memory sizes (MiB)
// Fargate accepts: from, to and the step between.
var fargateMemory = []struct{ cpu, from, to, step int }{
	{256, 512, 2048, 512},
	{512, 1024, 4096, 1024},
	{1024, 2048, 8192, 1024},
	{2048, 4096, 16384, 1024},
	{4096, 8192, 30720, 1024},
	{8192, 16384, 61440, 4096},
	{16384, 32768, 122880, 8192},
}

// ValidateFargateSize reports whether Fargate runs a task of this size.
func ValidateFargateSize(cpu, memoryMiB int) error {
	for _, row := range fargateMemory {
		if row.cpu != cpu {
			continue
		}
		if memoryMiB < row.from || memoryMiB > row.to || (memoryMiB-row.from)%row.step != 0 {
			return fmt.Errorf("cpu %d with memory %d MiB is not a Fargate size; accepted for cpu %d: %d to %d MiB in steps of %d", cpu, memoryMiB, cpu, row.from, row.to, row.step)
		}
		return nil
	}
	return fmt.Errorf("cpu %d is not a Fargate size; accepted: 256, 512, 1024, 2048, 4096, 8192, 16384", cpu)
}
