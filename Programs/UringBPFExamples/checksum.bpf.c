/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * checksum: a plain BPF function, not a loop program. It runs with r1 = a buffer and r2 = its length and returns
 * the Fletcher-64 checksum of the buffer's 32-bit words (a trailing partial word is zero-padded); it counts its
 * calls in `calls` and mixes in the `seed` from .rodata.
 *
 * From Swift: `ExecutableProgram(object.function(named: "checksum")!, of: object)` and
 * `Interpreter(program:memory:).run(memory: buffer)`.
 *
 * Runner usage:
 *   printf 'hello, checksum' > buffer.bin
 *   uring-bpf exec checksum --mem-file buffer.bin
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 seed = 0;
__u64 calls;

__u64 checksum(const __u8 *buffer, __u64 length)
{
	__u64 a = seed, b = 0;

	calls++;
	for (__u64 i = 0; i < length && i < (1ULL << 30); i += 4) {
		__u32 word = 0;

		for (int k = 0; k < 4; k++)
			if (i + k < length)
				word |= (__u32)buffer[i + k] << (8 * k);
		a = (a + word) % 0xffffffffULL;
		b = (b + a) % 0xffffffffULL;
	}
	return b << 32 | a;
}
