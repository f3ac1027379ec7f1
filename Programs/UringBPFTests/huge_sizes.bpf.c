/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * huge_sizes: passes a size from a global to bpf_trace_printk or
 * bpf_trace_vprintk, declared here with 64-bit size arguments so any value
 * reaches the helper. THE KERNEL VERIFIER REJECTS THIS PROGRAM (a size it
 * cannot bound); it exists so the userspace engine proves that a size of 2^63
 * or more is refused AT RUN TIME with a fault naming the instruction and this
 * file's line, not a crash of the host.
 *
 * One step: steps++, then by `mode`:
 *   mode 0: printk_ret = bpf_trace_printk(fmt, size, 1)              line "PRINTK"
 *   mode 1: printk_ret = bpf_trace_vprintk(fmt, size, args, 8)       line "VPRINTK-FORMAT"
 *   mode 2: data_ret = bpf_trace_vprintk(fmt, sizeof fmt, args, size) line "VPRINTK-DATA"
 *   then done = 1 and STOP.
 * Each call is the only statement on its code line, which ends with its marker.
 *
 * Globals:
 *   .rodata const volatile __u32 sq_entries (default 8), cq_entries (default 16)
 *           fmt "n %d" (5 bytes with its NUL)
 *   .bss    __u32 mode        0, 1 or 2 (see above); SET IT
 *           __u32 steps       1 after the run
 *           __u32 done        1 only if the step got past the call
 *           __s64 printk_ret  the return value of mode 0 or 1
 *           __s64 data_ret    the return value of mode 2
 *   .data   __u64 size = 0x8000000000000000   the size passed; SET IT to any value
 * Runner settings / expected outcomes (user mode, --no-verify):
 *   mode 0 or 1, size >= 2^63 -> the run fails: the format (size bytes) is
 *       outside the program's memory, at the marked line; done == 0
 *   mode 2, size >= 2^63      -> bpf_trace_vprintk returns -EINVAL (data_len is
 *       not a multiple of 8 at most 96, as in the kernel): data_ret == -22, done == 1
 *   control: mode 0, size 5   -> printk_ret == 3 ("n 1"), done == 1
 */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

static long (*const printk64)(const char *fmt, __u64 fmt_size, ...) = (void *)6;
static long (*const vprintk64)(const char *fmt, __u64 fmt_size, const void *data, __u64 data_len) = (void *)177;

static const char fmt[] = "n %d";

__u32 mode;
__u32 steps;
__u32 done;
__s64 printk_ret;
__s64 data_ret;
__u64 size = 0x8000000000000000ULL;

SEC("struct_ops.s/huge_sizes_step")
URING_BPF_LOOP_STEP(huge_sizes_step, ctx, lp)
{
	__u64 args[1] = { 1 };

	steps++;
	if (mode == 0) {
		printk_ret = printk64(fmt, size, 1); /* PRINTK */
	} else if (mode == 1) {
		printk_ret = vprintk64(fmt, size, args, sizeof(args)); /* VPRINTK-FORMAT */
	} else if (mode == 2) {
		data_ret = vprintk64(fmt, sizeof(fmt), args, size); /* VPRINTK-DATA */
	}
	done = 1;
	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops huge_sizes_ops = {
	.loop_step = (void *)huge_sizes_step,
};
