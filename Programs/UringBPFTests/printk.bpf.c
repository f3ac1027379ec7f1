/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * printk: one bpf_printk with an int, a 64-bit hex value and a string from
 * .rodata, then STOP.
 *   bpf_printk("step %d token %llx name %s", steps, 0xfeedbeefcafeULL, prog_name)
 * with steps == 1 and prog_name the .rodata string "uring-bpf".
 *
 * Globals:
 *   .rodata const volatile __u32 sq_entries (default 8), cq_entries (default 16)
 *           const char prog_name[10] = "uring-bpf"
 *           (the format string is a function-local static in .rodata too)
 *   .bss    __u32 steps       1 after the run
 *           __s64 printk_ret  bpf_trace_printk's return value: the length of
 *                             the formatted text, 40
 * Runner settings: none.
 * Expected: run returns 0, steps == 1, printk_ret == 40, and the trace output
 *   is exactly one line with the text
 *     step 1 token feedbeefcafe name uring-bpf
 *   (the kernel's trace_pipe prefixes it with task/pid/cpu/time and
 *   "bpf_trace_printk: "; the format has no trailing newline).
 */
#define URING_BPF_HELPERS /* bpf_printk, map and time helpers */
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 sq_entries = 8;
const volatile __u32 cq_entries = 16;

const char prog_name[10] = "uring-bpf";

__u32 steps;
__s64 printk_ret;

SEC("struct_ops.s/printk_step")
URING_BPF_LOOP_STEP(printk_step, ctx, lp)
{
	steps++;
	printk_ret = bpf_printk("step %d token %llx name %s", steps, 0xfeedbeefcafeULL, prog_name);
	return IOU_LOOP_STOP;
}

SEC(".struct_ops.link")
struct io_uring_bpf_ops printk_ops = {
	.loop_step = (void *)printk_step,
};
