/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * corpus.h - shared by the verifier corpus programs (Tests/VerifierCorpus).
 *
 * Each corpus program is one loop_step in one object, written to hit one rule
 * of the kernel's verifier. Its header comment names the rule and what we
 * expect; the kernel's real verdict is recorded in kernel-verdicts.txt by the
 * VM check (never by hand).
 */
#ifndef CORPUS_H
#define CORPUS_H

#define URING_BPF_HELPERS
#include "uring_bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Calls the loop's kfuncs from C so their BTF is in every object: programs written in
 * inline assembly name them only through relocations, and loaders need the prototypes. */
__attribute__((used)) int corpus_kfunc_btf_root(struct iou_ctx *ctx)
{
	return bpf_io_uring_submit_sqes(ctx, 0) + (bpf_io_uring_get_region(ctx, 0, 8) != 0);
}

/* The struct_ops variable that makes `fn` the loop_step of a loadable object. */
#define CORPUS_OPS(fn)                                                     \
	SEC(".struct_ops.link") struct io_uring_bpf_ops fn##_ops = {       \
		.loop_step = (void *)fn,                                   \
	}

/* Instruction-level programs (as the kernel's verifier selftests write them). */
#define __naked __attribute__((naked))
#define __imm(name) [name] "i"(name)
#define __imm_addr(name) [name] "i"(&name)
#define __imm_const(name, expr) [name] "i"(expr)

/* An opaque value the verifier cannot know (a .bss global user space may set). */
#define OPAQUE(type, name) volatile type name

#endif
